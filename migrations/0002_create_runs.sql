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
