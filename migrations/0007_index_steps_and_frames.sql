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
