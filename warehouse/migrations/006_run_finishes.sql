-- Issue 17: a run that starts after one was killed says it finishes that run's work.
ALTER TABLE runs ADD COLUMN finishes VARCHAR[];                 -- ids of the interrupted runs this run closed
