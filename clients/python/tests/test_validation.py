"""Bad arguments raise at the call, naming the argument; nothing is enqueued for them."""
import math

import pytest

import trackstream


@pytest.fixture
def run(spool_dir):
    c = trackstream.Client(project="unit", offline=True, spool_dir=spool_dir, exit_hooks=False, capture_context=False)
    r = c.start_run(experiment="validation")
    yield r
    c.close(timeout=0)


@pytest.mark.parametrize(
    "metrics,kwargs,argument",
    [
        ({"loss": 1.0}, {"step": math.nan}, "step"),
        ({"loss": 1.0}, {"step": math.inf}, "step"),
        ({"loss": 1.0}, {"step": 1.5}, "step"),
        ({"loss": 1.0}, {"step": "3"}, "step"),
        ({"": 1.0}, {}, "metrics key"),
        ({"k" * 251: 1.0}, {}, "metrics key"),
        ({"loss": "0.5"}, {}, "metrics['loss']"),
        ({"loss": None}, {}, "metrics['loss']"),
        ({"loss": True}, {}, "metrics['loss']"),
        ([1, 2], {}, "metrics"),
    ],
)
def test_bad_log_arguments_raise_naming_the_argument(run, metrics, kwargs, argument):
    before = run._pipeline.logged_points
    with pytest.raises(trackstream.InvalidArgumentError) as e:
        run.log(metrics, **kwargs)
    assert e.value.argument == argument
    assert argument in str(e.value)
    assert run._pipeline.logged_points == before


def test_over_long_param_and_tag_values(run):
    with pytest.raises(trackstream.InvalidArgumentError) as e:
        run.log_params({"p": "x" * 6001})
    assert e.value.argument == "params.p" and "6000" in str(e.value)
    with pytest.raises(trackstream.InvalidArgumentError) as e:
        run.set_tags({"t": "x" * 5001})
    assert e.value.argument == "tags.t"
    run.log_params({"p": "x" * 6000})  # at the limit: fine


def test_nan_and_inf_values_are_data(run):
    run.log({"loss": math.nan, "up": math.inf, "down": -math.inf, "n": 3})
