#!/usr/bin/env bash
# An s5rs copy split across a Slurm job array of 32 tasks:
#   sbatch examples/slurm-array.sh
# --shard auto reads SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
# SLURM_ARRAY_TASK_COUNT. `scancel` sends SIGTERM: s5rs stops within its grace period
# and exits 1; `sbatch --requeue` or a rerun of the failed tasks resumes from the journal.
#SBATCH --array=0-31
#SBATCH --signal=TERM@30
set -euo pipefail
exec s5rs --json --shard auto \
  --journal /shared/journal/migrate-2026-12/ \
  run /shared/batches/migrate.txt
