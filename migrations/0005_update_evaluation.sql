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
