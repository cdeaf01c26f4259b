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
