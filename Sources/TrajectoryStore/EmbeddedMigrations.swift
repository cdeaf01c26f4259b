// GENERATED — DO NOT EDIT, regenerate with .ci/gen-migrations
// The migrations/ folder, carried inside the binary. A test checks it equals migrations/*.sql.

extension Migration {
    /// Every shipped migration, in order.
    public static let embedded: [Migration] = [
        Migration(
            version: 1,
            name: "0001_create_trajectories",
            sql: #"""
            -- trajpred schema 1: datasets, scenes (one per imported file), pedestrians and their positions,
            -- and the views people query from the sqlite3 shell.
            -- Positions are stored on a step index: frame = frame_origin + step * frame_step, so a window of
            -- consecutive steps is a range of `step`. Coordinates are meters in the scene's own frame.

            CREATE TABLE dataset (
                id         INTEGER PRIMARY KEY,
                name       TEXT NOT NULL UNIQUE CHECK (length(name) > 0 AND instr(name, '/') = 0),
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ) STRICT;

            -- One scene per imported file; the file's provenance lives here too.
            CREATE TABLE scene (
                id           INTEGER PRIMARY KEY,
                dataset_id   INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
                name         TEXT NOT NULL CHECK (length(name) > 0 AND instr(name, '/') = 0),
                split        TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
                frame_origin REAL NOT NULL,                     -- frame number of step 0
                frame_step   REAL NOT NULL CHECK (frame_step > 0), -- frame units between two steps
                time_step    REAL NOT NULL CHECK (time_step > 0),  -- seconds between two steps
                source_path  TEXT NOT NULL,
                source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
                source_format TEXT NOT NULL CHECK (source_format IN ('ethucy', 'csv', 'ndjson')),
                source_rows  INTEGER NOT NULL CHECK (source_rows >= 0),
                imported_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                UNIQUE (dataset_id, split, name),
                UNIQUE (dataset_id, source_sha256)
            ) STRICT;

            -- A pedestrian (or other agent) of one scene, with its id as written in the file.
            CREATE TABLE agent (
                id       INTEGER PRIMARY KEY,
                scene_id INTEGER NOT NULL REFERENCES scene (id) ON DELETE CASCADE,
                name     TEXT NOT NULL,
                UNIQUE (scene_id, name)
            ) STRICT;

            -- One observed position; finite values only (NaN binds as NULL, infinities fail the range).
            CREATE TABLE position (
                agent_id INTEGER NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
                step     INTEGER NOT NULL CHECK (step >= 0),
                x        REAL NOT NULL CHECK (x BETWEEN -3.4e38 AND 3.4e38),
                y        REAL NOT NULL CHECK (y BETWEEN -3.4e38 AND 3.4e38),
                PRIMARY KEY (agent_id, step)
            ) STRICT, WITHOUT ROWID;

            -- One row per position, with names instead of ids; integral frames show as integers.
            CREATE VIEW trajectory AS
            SELECT dataset, split, scene, pedestrian, step,
                   iif(frame = CAST(frame AS INTEGER), CAST(frame AS INTEGER), frame) AS frame,
                   frame * time_step / frame_step AS time,
                   x, y
            FROM (SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, p.step AS step,
                         s.frame_origin + p.step * s.frame_step AS frame, s.time_step, s.frame_step, p.x AS x, p.y AS y
                  FROM position AS p
                  JOIN agent AS a ON a.id = p.agent_id
                  JOIN scene AS s ON s.id = a.scene_id
                  JOIN dataset AS d ON d.id = s.dataset_id);

            -- One row per pedestrian: where and how long it was seen; gaps counts missing steps inside the track.
            CREATE VIEW track AS
            SELECT dataset, split, scene, pedestrian, agent_id,
                   iif(first_frame = CAST(first_frame AS INTEGER), CAST(first_frame AS INTEGER), first_frame) AS first_frame,
                   iif(last_frame = CAST(last_frame AS INTEGER), CAST(last_frame AS INTEGER), last_frame) AS last_frame,
                   positions, gaps, seconds
            FROM (SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, a.id AS agent_id,
                         s.frame_origin + min(p.step) * s.frame_step AS first_frame,
                         s.frame_origin + max(p.step) * s.frame_step AS last_frame,
                         count(*) AS positions,
                         max(p.step) - min(p.step) + 1 - count(*) AS gaps,
                         (max(p.step) - min(p.step)) * s.time_step AS seconds
                  FROM agent AS a
                  JOIN position AS p ON p.agent_id = a.id
                  JOIN scene AS s ON s.id = a.scene_id
                  JOIN dataset AS d ON d.id = s.dataset_id
                  GROUP BY a.id);

            -- One row per scene.
            CREATE VIEW scene_summary AS
            SELECT d.name AS dataset,
                   s.split AS split,
                   s.name AS scene,
                   (SELECT count(*) FROM agent AS a WHERE a.scene_id = s.id) AS pedestrians,
                   s.source_rows AS positions,
                   s.frame_step AS frame_step,
                   s.time_step AS time_step,
                   s.source_format AS format,
                   s.source_path AS source_path,
                   s.imported_at AS imported_at
            FROM scene AS s
            JOIN dataset AS d ON d.id = s.dataset_id;

            -- One row per dataset.
            CREATE VIEW dataset_summary AS
            SELECT d.name AS dataset,
                   count(s.id) AS scenes,
                   coalesce(sum(s.split = 'train'), 0) AS train_scenes,
                   coalesce(sum(s.split = 'val'), 0) AS val_scenes,
                   coalesce(sum(s.split = 'test'), 0) AS test_scenes,
                   (SELECT count(*) FROM agent AS a JOIN scene AS s2 ON s2.id = a.scene_id WHERE s2.dataset_id = d.id)
                       AS pedestrians,
                   coalesce(sum(s.source_rows), 0) AS positions,
                   d.created_at AS created_at
            FROM dataset AS d
            LEFT JOIN scene AS s ON s.dataset_id = d.id
            GROUP BY d.id;
            """#
        ),
        Migration(
            version: 2,
            name: "0002_create_runs",
            sql: #"""
            -- trajpred schema 2: training runs, their epochs, and checkpoints of named float32 tensors.
            -- A run's whole configuration is JSON in run.config; `sqlite3 trajpred.sqlite 'select * from
            -- run_summary'` answers "what did I train and how good was it".

            CREATE TABLE run (
                id          INTEGER PRIMARY KEY,
                name        TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
                kind        TEXT NOT NULL CHECK (kind IN ('train', 'predict', 'evaluate')),
                status      TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
                config      TEXT NOT NULL CHECK (json_valid(config)),
                -- The trained run a predict or evaluate run used.
                parent_id   INTEGER REFERENCES run (id) ON DELETE SET NULL,
                started_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                ended_at    TEXT,
                error       TEXT
            ) STRICT;

            -- One row per finished training epoch.
            CREATE TABLE epoch (
                run_id         INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                epoch          INTEGER NOT NULL CHECK (epoch >= 1),
                loss           REAL NOT NULL,
                reconstruction REAL NOT NULL,
                kl             REAL NOT NULL,
                beta           REAL NOT NULL,
                learning_rate  REAL NOT NULL,
                val_min_ade    REAL,
                val_min_fde    REAL,
                seconds        REAL NOT NULL,
                PRIMARY KEY (run_id, epoch)
            ) STRICT;

            -- 'last' is where a run resumes; 'best' has the lowest validation minADE so far.
            CREATE TABLE checkpoint (
                id          INTEGER PRIMARY KEY,
                run_id      INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                label       TEXT NOT NULL CHECK (label IN ('best', 'last')),
                epoch       INTEGER NOT NULL CHECK (epoch >= 0),    -- epochs completed
                step        INTEGER NOT NULL CHECK (step >= 0),     -- steps completed in the next epoch
                val_min_ade REAL,
                -- Counters and generator state of the trainer, as JSON.
                state       TEXT NOT NULL CHECK (json_valid(state)),
                created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                UNIQUE (run_id, label)
            ) STRICT;

            -- Parameters (`enc.0.weight`, …) and optimiser moments (`adam.m/enc.0.weight`, …) of a checkpoint,
            -- little-endian float32 with their shape as a JSON array.
            CREATE TABLE tensor (
                checkpoint_id INTEGER NOT NULL REFERENCES checkpoint (id) ON DELETE CASCADE,
                name          TEXT NOT NULL,
                shape         TEXT NOT NULL CHECK (json_valid(shape) AND json_type(shape) = 'array'),
                data          BLOB NOT NULL,
                PRIMARY KEY (checkpoint_id, name)
            ) STRICT;

            -- One row per run: what, how it ended, and its best validation numbers.
            CREATE VIEW run_summary AS
            SELECT r.id,
                   r.name,
                   r.kind,
                   r.status,
                   json_extract(r.config, '$.model.encoder') AS encoder,
                   json_extract(r.config, '$.beta') AS beta,
                   (SELECT count(*) FROM epoch AS e WHERE e.run_id = r.id) AS epochs,
                   json_extract(r.config, '$.epochs') AS epochs_planned,
                   (SELECT min(val_min_ade) FROM epoch AS e WHERE e.run_id = r.id) AS best_val_min_ade,
                   (SELECT e.val_min_fde FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.val_min_ade LIMIT 1)
                       AS best_val_min_fde,
                   (SELECT e.kl FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.epoch DESC LIMIT 1) AS last_kl,
                   r.started_at,
                   r.ended_at,
                   r.error
            FROM run AS r;
            """#
        ),
        Migration(
            version: 3,
            name: "0003_create_predictions",
            sql: #"""
            -- trajpred schema 3: sampled futures (kept by `trajpred sample --store`) and evaluation metrics,
            -- each under a run of kind predict or evaluate whose parent is the trained run it used.

            -- One predicted point: sample s of the future of pedestrian `agent_id` after `last_observed_step`.
            CREATE TABLE prediction (
                run_id             INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                agent_id           INTEGER NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
                last_observed_step INTEGER NOT NULL,
                sample             INTEGER NOT NULL CHECK (sample >= 0),
                step               INTEGER NOT NULL CHECK (step >= 1),   -- 1 … predicted steps after the last observed one
                x                  REAL NOT NULL,
                y                  REAL NOT NULL,
                PRIMARY KEY (run_id, agent_id, last_observed_step, sample, step)
            ) STRICT, WITHOUT ROWID;

            -- One number of an evaluation: scope is 'all' or a scene path DATASET/SPLIT/SCENE; method is the
            -- model or a baseline.
            CREATE TABLE metric (
                run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
                scope  TEXT NOT NULL,
                method TEXT NOT NULL,
                name   TEXT NOT NULL,
                value  REAL,
                PRIMARY KEY (run_id, scope, method, name)
            ) STRICT;

            -- Predictions beside the ground truth, with names and frames as in the imported files (integral
            -- frames as integers).
            CREATE VIEW prediction_view AS
            SELECT p.run_id,
                   d.name AS dataset,
                   s.split AS split,
                   s.name AS scene,
                   a.name AS pedestrian,
                   iif(s.frame_origin = CAST(s.frame_origin AS INTEGER) AND s.frame_step = CAST(s.frame_step AS INTEGER),
                       CAST(s.frame_origin + p.last_observed_step * s.frame_step AS INTEGER),
                       s.frame_origin + p.last_observed_step * s.frame_step) AS last_observed_frame,
                   p.sample,
                   p.step,
                   iif(s.frame_origin = CAST(s.frame_origin AS INTEGER) AND s.frame_step = CAST(s.frame_step AS INTEGER),
                       CAST(s.frame_origin + (p.last_observed_step + p.step) * s.frame_step AS INTEGER),
                       s.frame_origin + (p.last_observed_step + p.step) * s.frame_step) AS frame,
                   p.x,
                   p.y,
                   truth.x AS true_x,
                   truth.y AS true_y
            FROM prediction AS p
            JOIN agent AS a ON a.id = p.agent_id
            JOIN scene AS s ON s.id = a.scene_id
            JOIN dataset AS d ON d.id = s.dataset_id
            LEFT JOIN position AS truth ON truth.agent_id = p.agent_id AND truth.step = p.last_observed_step + p.step;

            -- Evaluations in one table: per run, scope and method, the metrics as columns.
            CREATE VIEW evaluation AS
            SELECT m.run_id,
                   r.parent_id AS trained_run_id,
                   m.scope,
                   m.method,
                   max(CASE WHEN m.name = 'windows' THEN m.value END) AS windows,
                   max(CASE WHEN m.name = 'k' THEN m.value END) AS k,
                   max(CASE WHEN m.name = 'min_ade' THEN m.value END) AS min_ade,
                   max(CASE WHEN m.name = 'min_fde' THEN m.value END) AS min_fde,
                   max(CASE WHEN m.name = 'kde_nll' THEN m.value END) AS kde_nll,
                   max(CASE WHEN m.name = 'collision_rate' THEN m.value END) AS collision_rate
            FROM metric AS m JOIN run AS r ON r.id = m.run_id
            GROUP BY m.run_id, m.scope, m.method;
            """#
        ),
        Migration(
            version: 4,
            name: "0004_update_run_summary",
            sql: #"""
            -- trajpred schema 4: runs of any model family. A training run's configuration now names its
            -- family ("family": "cvae", …) and keeps the model's own settings, β included, under "model";
            -- runs stored before keep β at the top level and are CVAE runs. run_summary reads both.

            DROP VIEW run_summary;

            CREATE VIEW run_summary AS
            SELECT r.id,
                   r.name,
                   r.kind,
                   r.status,
                   CASE WHEN r.kind = 'train' THEN coalesce(json_extract(r.config, '$.family'), 'cvae') END AS model,
                   json_extract(r.config, '$.model.encoder') AS encoder,
                   coalesce(json_extract(r.config, '$.model.beta'), json_extract(r.config, '$.beta')) AS beta,
                   (SELECT count(*) FROM epoch AS e WHERE e.run_id = r.id) AS epochs,
                   json_extract(r.config, '$.epochs') AS epochs_planned,
                   (SELECT min(val_min_ade) FROM epoch AS e WHERE e.run_id = r.id) AS best_val_min_ade,
                   (SELECT e.val_min_fde FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.val_min_ade LIMIT 1)
                       AS best_val_min_fde,
                   (SELECT e.kl FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.epoch DESC LIMIT 1) AS last_kl,
                   r.started_at,
                   r.ended_at,
                   r.error
            FROM run AS r;
            """#
        ),
        Migration(
            version: 5,
            name: "0005_update_evaluation",
            sql: #"""
            -- trajpred schema 5: evaluations report minADE/minFDE at k = 1 and 5 beside the headline k (the
            -- most probable future or first sample, and the best of the first 5). Evaluations stored before
            -- show NULL there.

            DROP VIEW evaluation;

            CREATE VIEW evaluation AS
            SELECT m.run_id,
                   r.parent_id AS trained_run_id,
                   m.scope,
                   m.method,
                   max(CASE WHEN m.name = 'windows' THEN m.value END) AS windows,
                   max(CASE WHEN m.name = 'k' THEN m.value END) AS k,
                   max(CASE WHEN m.name = 'min_ade' THEN m.value END) AS min_ade,
                   max(CASE WHEN m.name = 'min_fde' THEN m.value END) AS min_fde,
                   max(CASE WHEN m.name = 'kde_nll' THEN m.value END) AS kde_nll,
                   max(CASE WHEN m.name = 'collision_rate' THEN m.value END) AS collision_rate,
                   max(CASE WHEN m.name = 'min_ade_1' THEN m.value END) AS min_ade_1,
                   max(CASE WHEN m.name = 'min_fde_1' THEN m.value END) AS min_fde_1,
                   max(CASE WHEN m.name = 'min_ade_5' THEN m.value END) AS min_ade_5,
                   max(CASE WHEN m.name = 'min_fde_5' THEN m.value END) AS min_fde_5
            FROM metric AS m JOIN run AS r ON r.id = m.run_id
            GROUP BY m.run_id, m.scope, m.method;
            """#
        ),
        Migration(
            version: 6,
            name: "0006_add_scene_geometry",
            sql: #"""
            -- trajpred schema 6: data as trackers and cameras produce it. A scene now keeps how its frames
            -- are written (frame_decimals: 12.4 stays 12.4), whether it was resampled onto its grid (from
            -- irregular times, with the longest gap interpolated across), how pixels map to meters (a
            -- homography image → world, or a scale), and optionally a reference image of the scene.
            -- The formats ETH obsmat and Stanford Drone (sdd) join source_format; SQLite cannot widen a CHECK
            -- in place, so the scene table is rebuilt (the migrator applies migrations with foreign keys off
            -- and checks them before committing) and the views that read it are made again.

            DROP VIEW trajectory;
            DROP VIEW track;
            DROP VIEW scene_summary;
            DROP VIEW dataset_summary;
            DROP VIEW prediction_view;

            CREATE TABLE scene_new (
                id           INTEGER PRIMARY KEY,
                dataset_id   INTEGER NOT NULL REFERENCES dataset (id) ON DELETE CASCADE,
                name         TEXT NOT NULL CHECK (length(name) > 0 AND instr(name, '/') = 0),
                split        TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
                frame_origin REAL NOT NULL,                     -- frame number of step 0
                frame_step   REAL NOT NULL CHECK (frame_step > 0), -- frame units between two steps
                time_step    REAL NOT NULL CHECK (time_step > 0),  -- seconds between two steps
                source_path  TEXT NOT NULL,
                source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
                source_format TEXT NOT NULL CHECK (source_format IN ('ethucy', 'csv', 'ndjson', 'obsmat', 'sdd')),
                source_rows  INTEGER NOT NULL CHECK (source_rows >= 0),
                imported_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                -- Decimals the frames are written with (frame = round(frame_origin + step * frame_step, this));
                -- NULL when they are not short decimals (a step of 1/30 s).
                frame_decimals INTEGER CHECK (frame_decimals BETWEEN 0 AND 9),
                -- Set when irregular times were interpolated onto the grid (import --resample): the longest
                -- interval interpolated across, in seconds, and how many positions were interpolated.
                resample_max_gap REAL CHECK (resample_max_gap > 0),
                interpolated INTEGER NOT NULL DEFAULT 0 CHECK (interpolated >= 0),
                -- Pixels to meters: 'homography' or 'scale'; image_to_world is the 3×3 matrix (JSON, row-major)
                -- taking (column, row, 1) to homogeneous meters; image_axes the order the user's file used.
                pixel_mapping TEXT CHECK (pixel_mapping IN ('homography', 'scale')),
                image_to_world TEXT CHECK (image_to_world IS NULL OR json_array_length(image_to_world) = 9),
                image_axes TEXT CHECK (image_axes IN ('xy', 'yx')),
                meters_per_pixel REAL CHECK (meters_per_pixel > 0),
                CHECK ((pixel_mapping IS NULL) = (image_to_world IS NULL)),
                UNIQUE (dataset_id, split, name),
                UNIQUE (dataset_id, source_sha256)
            ) STRICT;

            INSERT INTO scene_new (id, dataset_id, name, split, frame_origin, frame_step, time_step, source_path, source_sha256,
                                   source_format, source_rows, imported_at,
                                   frame_decimals)
            SELECT id, dataset_id, name, split, frame_origin, frame_step, time_step, source_path, source_sha256,
                   source_format, source_rows, imported_at,
                   -- Scenes imported before: the fewest decimals that write their origin and step exactly.
                   CASE WHEN round(frame_origin) = frame_origin AND round(frame_step) = frame_step THEN 0
                        WHEN round(frame_origin, 1) = frame_origin AND round(frame_step, 1) = frame_step THEN 1
                        WHEN round(frame_origin, 2) = frame_origin AND round(frame_step, 2) = frame_step THEN 2
                        WHEN round(frame_origin, 3) = frame_origin AND round(frame_step, 3) = frame_step THEN 3
                        WHEN round(frame_origin, 6) = frame_origin AND round(frame_step, 6) = frame_step THEN 6 END
            FROM scene;

            DROP TABLE scene;
            ALTER TABLE scene_new RENAME TO scene;

            -- A reference image of a scene (a video frame), drawn under its tracks by `trajpred plot`.
            CREATE TABLE scene_image (
                scene_id    INTEGER PRIMARY KEY REFERENCES scene (id) ON DELETE CASCADE,
                format      TEXT NOT NULL CHECK (format IN ('png', 'jpeg')),
                width       INTEGER NOT NULL CHECK (width > 0),
                height      INTEGER NOT NULL CHECK (height > 0),
                source_path TEXT NOT NULL,
                data        BLOB NOT NULL
            ) STRICT;

            -- One row per position, with names instead of ids; frames as written (integral ones as integers).
            CREATE VIEW trajectory AS
            SELECT dataset, split, scene, pedestrian, step,
                   iif(frame = CAST(frame AS INTEGER), CAST(frame AS INTEGER), frame) AS frame,
                   frame * time_step / frame_step AS time,
                   x, y
            FROM (SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, p.step AS step,
                         iif(s.frame_decimals IS NULL, s.frame_origin + p.step * s.frame_step,
                             round(s.frame_origin + p.step * s.frame_step, s.frame_decimals)) AS frame,
                         s.time_step, s.frame_step, p.x AS x, p.y AS y
                  FROM position AS p
                  JOIN agent AS a ON a.id = p.agent_id
                  JOIN scene AS s ON s.id = a.scene_id
                  JOIN dataset AS d ON d.id = s.dataset_id);

            -- One row per pedestrian: where and how long it was seen; gaps counts missing steps inside the track.
            CREATE VIEW track AS
            SELECT dataset, split, scene, pedestrian, agent_id,
                   iif(first_frame = CAST(first_frame AS INTEGER), CAST(first_frame AS INTEGER), first_frame) AS first_frame,
                   iif(last_frame = CAST(last_frame AS INTEGER), CAST(last_frame AS INTEGER), last_frame) AS last_frame,
                   positions, gaps, seconds
            FROM (SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, a.id AS agent_id,
                         iif(s.frame_decimals IS NULL, s.frame_origin + min(p.step) * s.frame_step,
                             round(s.frame_origin + min(p.step) * s.frame_step, s.frame_decimals)) AS first_frame,
                         iif(s.frame_decimals IS NULL, s.frame_origin + max(p.step) * s.frame_step,
                             round(s.frame_origin + max(p.step) * s.frame_step, s.frame_decimals)) AS last_frame,
                         count(*) AS positions,
                         max(p.step) - min(p.step) + 1 - count(*) AS gaps,
                         (max(p.step) - min(p.step)) * s.time_step AS seconds
                  FROM agent AS a
                  JOIN position AS p ON p.agent_id = a.id
                  JOIN scene AS s ON s.id = a.scene_id
                  JOIN dataset AS d ON d.id = s.dataset_id
                  GROUP BY a.id);

            -- One row per scene, with how it was read: resampling, pixels, image.
            CREATE VIEW scene_summary AS
            SELECT d.name AS dataset,
                   s.split AS split,
                   s.name AS scene,
                   (SELECT count(*) FROM agent AS a WHERE a.scene_id = s.id) AS pedestrians,
                   s.source_rows AS positions,
                   s.frame_step AS frame_step,
                   s.time_step AS time_step,
                   s.source_format AS format,
                   s.source_path AS source_path,
                   s.imported_at AS imported_at,
                   s.resample_max_gap IS NOT NULL AS resampled,
                   s.interpolated AS interpolated,
                   s.pixel_mapping AS pixel_mapping,
                   s.meters_per_pixel AS meters_per_pixel,
                   i.width AS image_width,
                   i.height AS image_height
            FROM scene AS s
            JOIN dataset AS d ON d.id = s.dataset_id
            LEFT JOIN scene_image AS i ON i.scene_id = s.id;

            -- One row per dataset.
            CREATE VIEW dataset_summary AS
            SELECT d.name AS dataset,
                   count(s.id) AS scenes,
                   coalesce(sum(s.split = 'train'), 0) AS train_scenes,
                   coalesce(sum(s.split = 'val'), 0) AS val_scenes,
                   coalesce(sum(s.split = 'test'), 0) AS test_scenes,
                   (SELECT count(*) FROM agent AS a JOIN scene AS s2 ON s2.id = a.scene_id WHERE s2.dataset_id = d.id)
                       AS pedestrians,
                   coalesce(sum(s.source_rows), 0) AS positions,
                   d.created_at AS created_at
            FROM dataset AS d
            LEFT JOIN scene AS s ON s.dataset_id = d.id
            GROUP BY d.id;

            -- Predictions beside the ground truth, with names and frames as written in the imported files.
            CREATE VIEW prediction_view AS
            SELECT p.run_id,
                   d.name AS dataset,
                   s.split AS split,
                   s.name AS scene,
                   a.name AS pedestrian,
                   iif(s.frame_decimals IS NULL, s.frame_origin + p.last_observed_step * s.frame_step,
                       iif(s.frame_decimals = 0, CAST(round(s.frame_origin + p.last_observed_step * s.frame_step) AS INTEGER),
                           round(s.frame_origin + p.last_observed_step * s.frame_step, s.frame_decimals))) AS last_observed_frame,
                   p.sample,
                   p.step,
                   iif(s.frame_decimals IS NULL, s.frame_origin + (p.last_observed_step + p.step) * s.frame_step,
                       iif(s.frame_decimals = 0, CAST(round(s.frame_origin + (p.last_observed_step + p.step) * s.frame_step) AS INTEGER),
                           round(s.frame_origin + (p.last_observed_step + p.step) * s.frame_step, s.frame_decimals))) AS frame,
                   p.x,
                   p.y,
                   truth.x AS true_x,
                   truth.y AS true_y
            FROM prediction AS p
            JOIN agent AS a ON a.id = p.agent_id
            JOIN scene AS s ON s.id = a.scene_id
            JOIN dataset AS d ON d.id = s.dataset_id
            LEFT JOIN position AS truth ON truth.agent_id = p.agent_id AND truth.step = p.last_observed_step + p.step;

            -- Positions in the pixels of the scene's image (or of the pixel file it was imported from), for
            -- scenes with a homography or a scale: the inverse of image_to_world applied to (x, y, 1) (its
            -- adjugate: the determinant cancels in the division by the third coordinate).
            CREATE VIEW pixel_position AS
            SELECT t.dataset, t.split, t.scene, t.pedestrian, t.step, t.frame, t.x, t.y,
                   (m.i00 * t.x + m.i01 * t.y + m.i02) / (m.i20 * t.x + m.i21 * t.y + m.i22) AS u,
                   (m.i10 * t.x + m.i11 * t.y + m.i12) / (m.i20 * t.x + m.i21 * t.y + m.i22) AS v
            FROM trajectory AS t
            JOIN (SELECT dataset, split, scene,
                         e * i - f * h AS i00, c * h - b * i AS i01, b * f - c * e AS i02,
                         f * g - d * i AS i10, a * i - c * g AS i11, c * d - a * f AS i12,
                         d * h - e * g AS i20, b * g - a * h AS i21, a * e - b * d AS i22
                  FROM (SELECT ds.name AS dataset, s.split AS split, s.name AS scene,
                               json_extract(s.image_to_world, '$[0]') AS a, json_extract(s.image_to_world, '$[1]') AS b,
                               json_extract(s.image_to_world, '$[2]') AS c, json_extract(s.image_to_world, '$[3]') AS d,
                               json_extract(s.image_to_world, '$[4]') AS e, json_extract(s.image_to_world, '$[5]') AS f,
                               json_extract(s.image_to_world, '$[6]') AS g, json_extract(s.image_to_world, '$[7]') AS h,
                               json_extract(s.image_to_world, '$[8]') AS i
                        FROM scene AS s JOIN dataset AS ds ON ds.id = s.dataset_id
                        WHERE s.image_to_world IS NOT NULL)) AS m
              ON m.dataset = t.dataset AND m.split = t.split AND m.scene = t.scene;
            """#
        ),
        Migration(
            version: 7,
            name: "0007_index_steps_and_frames",
            sql: #"""
            -- trajpred schema 7: the queries people type stay instant at 10^8 positions.
            -- - Everyone at a frame or time of a scene: `scene_frame` holds each step at which someone of a
            --   scene is present, with its frame as written and its time, indexed by both, so `frame = 1000`
            --   finds a step without computing the frame of every position; `position_step` then finds the
            --   positions at that step.
            -- - The tracks of a scene seen for ≥ N steps: each agent keeps its first and last step and its
            --   number of positions, position_count (written by the import with its positions, which are never changed
            --   after), so `track` reads no position at all.
            -- Frames stay as the views showed them (integral frames as integers), times as frame · time_step / frame_step.

            ALTER TABLE agent ADD COLUMN first_step INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE agent ADD COLUMN last_step INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE agent ADD COLUMN position_count INTEGER NOT NULL DEFAULT 0 CHECK (position_count >= 0);

            UPDATE agent SET (first_step, last_step, position_count) =
                (SELECT coalesce(min(p.step), 0), coalesce(max(p.step), 0), count(*) FROM position AS p WHERE p.agent_id = agent.id);

            -- A step at which someone of the scene is present: its frame as the file writes it (INTEGER when
            -- integral, else REAL: hence ANY) and its time in seconds.
            CREATE TABLE scene_frame (
                scene_id INTEGER NOT NULL REFERENCES scene (id) ON DELETE CASCADE,
                step     INTEGER NOT NULL,
                frame    ANY NOT NULL CHECK (typeof(frame) IN ('integer', 'real')),
                time     REAL NOT NULL,
                PRIMARY KEY (scene_id, step)
            ) STRICT, WITHOUT ROWID;

            CREATE INDEX scene_frame_frame ON scene_frame (scene_id, frame);
            CREATE INDEX scene_frame_time ON scene_frame (scene_id, time);
            CREATE INDEX position_step ON position (step);

            INSERT INTO scene_frame (scene_id, step, frame, time)
            SELECT scene_id, step, iif(frame = CAST(frame AS INTEGER), CAST(frame AS INTEGER), frame), frame * time_step / frame_step
            FROM (SELECT s.id AS scene_id, steps.step AS step, s.time_step AS time_step, s.frame_step AS frame_step,
                         iif(s.frame_decimals IS NULL, s.frame_origin + steps.step * s.frame_step,
                             round(s.frame_origin + steps.step * s.frame_step, s.frame_decimals)) AS frame
                  FROM (SELECT DISTINCT a.scene_id AS scene_id, p.step AS step FROM position AS p JOIN agent AS a ON a.id = p.agent_id)
                       AS steps
                  JOIN scene AS s ON s.id = steps.scene_id);

            DROP VIEW trajectory;
            DROP VIEW track;

            -- One row per position, with names instead of ids; frames as written (integral ones as integers).
            CREATE VIEW trajectory AS
            SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, p.step AS step,
                   f.frame AS frame, f.time AS time, p.x AS x, p.y AS y
            FROM position AS p
            JOIN agent AS a ON a.id = p.agent_id
            JOIN scene AS s ON s.id = a.scene_id
            JOIN dataset AS d ON d.id = s.dataset_id
            JOIN scene_frame AS f ON f.scene_id = s.id AND f.step = p.step;

            -- One row per pedestrian: where and how long it was seen; gaps counts missing steps inside the track.
            CREATE VIEW track AS
            SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, a.id AS agent_id,
                   first.frame AS first_frame, last.frame AS last_frame,
                   a.position_count AS positions,
                   a.last_step - a.first_step + 1 - a.position_count AS gaps,
                   (a.last_step - a.first_step) * s.time_step AS seconds
            FROM agent AS a
            JOIN scene AS s ON s.id = a.scene_id
            JOIN dataset AS d ON d.id = s.dataset_id
            LEFT JOIN scene_frame AS first ON first.scene_id = a.scene_id AND first.step = a.first_step
            LEFT JOIN scene_frame AS last ON last.scene_id = a.scene_id AND last.step = a.last_step;

            -- The query planner's statistics, as for a large store (SQLite's documented way to fix plans:
            -- hand-written sqlite_stat1 rows, read when a connection opens): about 1,000 agents per scene,
            -- 100 positions per agent, 100 positions per step across scenes, 1,000 frames per scene. Without
            -- them SQLite guesses 10 rows for any index and reads a frame's positions agent by agent (one
            -- lookup per agent of the scene) instead of through position_step. `ANALYZE` replaces them with
            -- the store's own numbers, which lead to the same plans once a store is large. `ANALYZE sqlite_schema`
            -- makes the table, and at the end loads the rows into this connection's planner.
            ANALYZE sqlite_schema;
            DELETE FROM sqlite_stat1;
            INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
                ('dataset', 'sqlite_autoindex_dataset_1', '10 1'),
                ('scene', 'sqlite_autoindex_scene_1', '1000 100 30 1'),
                ('scene', 'sqlite_autoindex_scene_2', '1000 100 1'),
                ('agent', 'sqlite_autoindex_agent_1', '1000000 1000 1'),
                ('position', 'position', '100000000 100 1'),
                ('position', 'position_step', '100000000 100'),
                ('scene_frame', 'scene_frame', '1000000 1000 1'),
                ('scene_frame', 'scene_frame_frame', '1000000 1000 1'),
                ('scene_frame', 'scene_frame_time', '1000000 1000 1');
            ANALYZE sqlite_schema;
            """#
        ),
        Migration(
            version: 8,
            name: "0008_find_frames_through_agents",
            sql: #"""
            -- trajpred schema 8: everyone at a frame without an index over every position. Schema 7's
            -- position_step made the import about a fifth slower (1M rows: 2.9 s → 3.5 s, sqlite3's .import
            -- 2.0 s), past the 1.5 × sqlite3 the README promises. A frame's positions are now found through
            -- the agents of its scene present at its step: agent_span lists a scene's agents by first and last
            -- step (one entry per agent, nothing per position), then each present agent's position at that
            -- step is one lookup of position's key. The view says when an agent is present (first_step ≤ step ≤
            -- last_step, always true of its positions); the unary + keeps SQLite from turning that into a range
            -- over each agent's positions, so a time range is walked frame by frame, not agent by agent.

            DROP INDEX position_step;
            CREATE INDEX agent_span ON agent (scene_id, first_step, last_step);

            DROP VIEW trajectory;

            -- One row per position, with names instead of ids; frames as written (integral ones as integers).
            CREATE VIEW trajectory AS
            SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, p.step AS step,
                   f.frame AS frame, f.time AS time, p.x AS x, p.y AS y
            FROM position AS p
            JOIN agent AS a ON a.id = p.agent_id
            JOIN scene AS s ON s.id = a.scene_id
            JOIN dataset AS d ON d.id = s.dataset_id
            JOIN scene_frame AS f ON f.scene_id = a.scene_id AND f.step = p.step AND a.first_step <= +f.step AND a.last_step >= +f.step;

            -- The planner's statistics as in schema 7 (a large store), for the new index: 1,000 agents per
            -- scene, about 2 with the same first step.
            DELETE FROM sqlite_stat1 WHERE idx = 'position_step';
            INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('agent', 'agent_span', '1000000 1000 2 1');
            ANALYZE sqlite_schema;
            """#
        ),
        Migration(
            version: 9,
            name: "0009_keep_track_frames",
            sql: #"""
            -- trajpred schema 9: each agent keeps the frames of its first and last step as written. `track`
            -- looked them up in scene_frame, two lookups per row: at 10^8 positions a scene's 50,000 tracks took
            -- 55 ms, two thirds of it those lookups. Import writes them with the agent; older stores get them
            -- from scene_frame here.

            ALTER TABLE agent ADD COLUMN first_frame ANY CHECK (first_frame IS NULL OR typeof(first_frame) IN ('integer', 'real'));
            ALTER TABLE agent ADD COLUMN last_frame ANY CHECK (last_frame IS NULL OR typeof(last_frame) IN ('integer', 'real'));
            UPDATE agent SET
                first_frame = (SELECT f.frame FROM scene_frame AS f WHERE f.scene_id = agent.scene_id AND f.step = agent.first_step),
                last_frame = (SELECT f.frame FROM scene_frame AS f WHERE f.scene_id = agent.scene_id AND f.step = agent.last_step);

            DROP VIEW track;

            -- One row per pedestrian: where and how long it was seen; gaps counts missing steps inside the track.
            CREATE VIEW track AS
            SELECT d.name AS dataset, s.split AS split, s.name AS scene, a.name AS pedestrian, a.id AS agent_id,
                   a.first_frame AS first_frame, a.last_frame AS last_frame,
                   a.position_count AS positions,
                   a.last_step - a.first_step + 1 - a.position_count AS gaps,
                   (a.last_step - a.first_step) * s.time_step AS seconds
            FROM agent AS a
            JOIN scene AS s ON s.id = a.scene_id
            JOIN dataset AS d ON d.id = s.dataset_id;
            """#
        ),
        Migration(
            version: 10,
            name: "0010_run_summary_by_kind",
            sql: #"""
            -- trajpred schema 10: run_summary says what each kind of run has. An evaluation or a stored
            -- prediction names the trained run it used (trained_run_id) and that run's model; epochs are
            -- counted for training runs only (an evaluation listed 0 epochs), and last_kl only for the CVAEs,
            -- the models with a KL term (cvae, and cvae-dlow while it trains its CVAE; anchors and wta listed 0).

            DROP VIEW run_summary;

            CREATE VIEW run_summary AS
            SELECT r.id,
                   r.name,
                   r.kind,
                   r.status,
                   CASE WHEN r.kind = 'train' THEN coalesce(json_extract(r.config, '$.family'), 'cvae')
                        ELSE (SELECT coalesce(json_extract(t.config, '$.family'), 'cvae') FROM run AS t WHERE t.id = r.parent_id)
                   END AS model,
                   CASE WHEN r.kind = 'train' THEN NULL ELSE r.parent_id END AS trained_run_id,
                   json_extract(r.config, '$.model.encoder') AS encoder,
                   coalesce(json_extract(r.config, '$.model.beta'), json_extract(r.config, '$.beta')) AS beta,
                   CASE WHEN r.kind = 'train' THEN (SELECT count(*) FROM epoch AS e WHERE e.run_id = r.id) END AS epochs,
                   json_extract(r.config, '$.epochs') AS epochs_planned,
                   (SELECT min(val_min_ade) FROM epoch AS e WHERE e.run_id = r.id) AS best_val_min_ade,
                   (SELECT e.val_min_fde FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.val_min_ade LIMIT 1)
                       AS best_val_min_fde,
                   CASE WHEN r.kind = 'train' AND coalesce(json_extract(r.config, '$.family'), 'cvae') IN ('cvae', 'cvae-dlow')
                        THEN (SELECT e.kl FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.epoch DESC LIMIT 1)
                   END AS last_kl,
                   r.started_at,
                   r.ended_at,
                   r.error
            FROM run AS r;
            """#
        ),
        Migration(
            version: 11,
            name: "0011_run_summary_of_dlow",
            sql: #"""
            -- trajpred schema 11: run_summary reads a cvae-dlow run's CVAE as it reads a cvae run: its encoder
            -- and β (kept under model.cvae), and its last KL from the CVAE's epochs (up to model.cvaeEpochs; the
            -- sampler's epochs that follow have no KL term, and listed 0, which read as a collapsed posterior).

            DROP VIEW run_summary;

            CREATE VIEW run_summary AS
            SELECT r.id,
                   r.name,
                   r.kind,
                   r.status,
                   CASE WHEN r.kind = 'train' THEN coalesce(json_extract(r.config, '$.family'), 'cvae')
                        ELSE (SELECT coalesce(json_extract(t.config, '$.family'), 'cvae') FROM run AS t WHERE t.id = r.parent_id)
                   END AS model,
                   CASE WHEN r.kind = 'train' THEN NULL ELSE r.parent_id END AS trained_run_id,
                   coalesce(json_extract(r.config, '$.model.encoder'), json_extract(r.config, '$.model.cvae.encoder')) AS encoder,
                   coalesce(json_extract(r.config, '$.model.beta'), json_extract(r.config, '$.model.cvae.beta'),
                            json_extract(r.config, '$.beta')) AS beta,
                   CASE WHEN r.kind = 'train' THEN (SELECT count(*) FROM epoch AS e WHERE e.run_id = r.id) END AS epochs,
                   json_extract(r.config, '$.epochs') AS epochs_planned,
                   (SELECT min(val_min_ade) FROM epoch AS e WHERE e.run_id = r.id) AS best_val_min_ade,
                   (SELECT e.val_min_fde FROM epoch AS e WHERE e.run_id = r.id ORDER BY e.val_min_ade LIMIT 1)
                       AS best_val_min_fde,
                   CASE WHEN r.kind = 'train' AND coalesce(json_extract(r.config, '$.family'), 'cvae') IN ('cvae', 'cvae-dlow')
                        THEN (SELECT e.kl FROM epoch AS e
                              WHERE e.run_id = r.id AND e.epoch <= coalesce(json_extract(r.config, '$.model.cvaeEpochs'), e.epoch)
                              ORDER BY e.epoch DESC LIMIT 1)
                   END AS last_kl,
                   r.started_at,
                   r.ended_at,
                   r.error
            FROM run AS r;
            """#
        ),
    ]
}
