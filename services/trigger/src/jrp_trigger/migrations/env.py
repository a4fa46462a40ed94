from jrp_shared.migrations import run_env
from jrp_trigger.adapters.orm import metadata

run_env(metadata)
