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
