from jrp_appeals.adapters.orm import metadata
from jrp_shared.migrations import run_env

run_env(metadata)
