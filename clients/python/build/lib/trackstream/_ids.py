"""Ids, derived the same way as the TypeScript SDK (packages/sdk/src/ids.ts), so both agree on an experiment."""
import uuid

# The fixed namespace every Trackstream SDK uses for derived (version-5) ids.
NAMESPACE = uuid.UUID("f1d6c0a4-3b0e-5d8e-9c41-7a2f5e3b9d10")


def uuid_v5(name, namespace=NAMESPACE):
    return str(uuid.uuid5(namespace, name))


def experiment_id_for(project, name):
    """The experiment id for (project, name): every worker computes the same one, nothing to race on."""
    return "exp-" + uuid_v5("experiment\x00%s\x00%s" % (project, name))


def experiment_created_event_id(experiment_id):
    """Deterministic too, so every worker's experiment_created is one event, applied once."""
    return uuid_v5("experiment_created\x00" + experiment_id)


def new_event_id():
    return str(uuid.uuid4())


def new_run_id():
    return "run-" + str(uuid.uuid4())
