"""mlflow.sklearn.autolog(): params and training metrics of a small model appear on the run."""
import mlflow
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression


@pytest.fixture
def data():
    return make_classification(n_samples=200, n_features=6, random_state=0)


def test_autolog_logs_params_and_training_metrics(client, unique, data):
    """Needs artifact uploads too: sklearn autolog logs its plots (training_roc_curve.png, …) through the artifact
    proxy before it flushes the training metrics, and a refused upload drops the metrics batch."""
    X, y = data
    mlflow.set_experiment(unique("autolog"))
    mlflow.sklearn.autolog(log_models=False, log_datasets=False, silent=True)
    try:
        with mlflow.start_run() as run:
            LogisticRegression(C=0.5, max_iter=200).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    got = client.get_run(run.info.run_id)
    assert got.data.params["C"] == "0.5" and got.data.params["max_iter"] == "200"
    for key in ("training_accuracy_score", "training_f1_score", "training_precision_score", "training_log_loss"):
        assert key in got.data.metrics, (key, sorted(got.data.metrics))
    assert 0.5 < got.data.metrics["training_accuracy_score"] <= 1.0
    assert got.data.tags["estimator_name"] == "LogisticRegression"
    assert got.info.status == "FINISHED"


@pytest.mark.logged_models
def test_autolog_logs_the_model(client, unique, data):
    """Needs MLflow 3's logged-models API (/api/2.0/mlflow/logged-models) behind the tracking server."""
    X, y = data
    mlflow.set_experiment(unique("autolog-model"))
    mlflow.sklearn.autolog(log_models=True, log_datasets=False, silent=True)
    try:
        with mlflow.start_run() as run:
            model = LogisticRegression(max_iter=200).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    models = mlflow.search_logged_models(experiment_ids=[run.info.experiment_id], output_format="list")
    assert len(models) == 1
    loaded = mlflow.sklearn.load_model(models[0].model_uri)
    assert (loaded.predict(X) == model.predict(X)).all()
