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
