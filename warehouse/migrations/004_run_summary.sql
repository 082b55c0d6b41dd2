-- Run summaries for every flow (ingest, reprocess, maintain): kind, duration, model, runner, counts per status.
ALTER TABLE runs ADD COLUMN kind VARCHAR DEFAULT 'ingest';      -- ingest | reprocess | maintain
ALTER TABLE runs ADD COLUMN duration_s DOUBLE;
ALTER TABLE runs ADD COLUMN model_version VARCHAR;               -- the NER model's name-version
ALTER TABLE runs ADD COLUMN runner VARCHAR;                      -- threads:N | dask:local:N | dask:ADDRESS
ALTER TABLE runs ADD COLUMN flow_run_id VARCHAR;                 -- the Prefect flow run, when there is one
ALTER TABLE runs ADD COLUMN status_counts JSON;                  -- {"feeds": {"ok": 2}, "articles": {"full": 5}, ...}
