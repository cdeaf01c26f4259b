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
