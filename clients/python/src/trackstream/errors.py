"""Every error the SDK raises carries a stable ``code`` and says whether trying again can help (``retriable``)."""


class TrackstreamError(Exception):
    code = "SDK_ERROR"
    retriable = False

    def __init__(self, message, code=None, retriable=None):
        super().__init__(message)
        if code is not None:
            self.code = code
        if retriable is not None:
            self.retriable = retriable


class InvalidArgumentError(TrackstreamError, ValueError):
    """A caller passed something the gateway would reject; raised at the call so the bug points at its line."""

    code = "SDK_INVALID_ARGUMENT"

    def __init__(self, argument, message):
        super().__init__("%s: %s" % (argument, message))
        self.argument = argument


class RunFinishedError(TrackstreamError):
    code = "SDK_RUN_FINISHED"

    def __init__(self, run_id):
        super().__init__("run %s is finished; no more writes are accepted" % run_id)


class ClientClosedError(TrackstreamError):
    code = "SDK_CLIENT_CLOSED"

    def __init__(self):
        super().__init__("the Trackstream client is closed")


class AccessDeniedError(TrackstreamError):
    """The gateway refused the API token (401) or what it may write (403). Unsent events stay in the spool."""

    def __init__(self, status, gateway_code, reason, detail):
        extra = ", %s" % reason if reason and reason != gateway_code else ""
        super().__init__(
            "the gateway refused the request (%d %s%s): %s; unsent events stay in the spool: fix the token "
            "(TRACKSTREAM_TOKEN) and run `trackstream sync`" % (status, gateway_code, extra, detail),
            code="SDK_UNAUTHENTICATED" if status == 401 else "SDK_FORBIDDEN",
        )
        self.status = status
        self.gateway_code = gateway_code
        self.reason = reason


class OfflineArtifactError(TrackstreamError):
    """log_artifact(local_path) in offline mode: there is no artifact store to upload to, and nothing would later."""

    code = "SDK_OFFLINE_ARTIFACT"

    def __init__(self, local_path):
        super().__init__(
            "cannot upload %s: the client is offline (TRACKSTREAM_MODE=offline / offline=True) and artifacts are not "
            "spooled; log it from an online run, or record one stored elsewhere with log_artifact(artifact_path=..., uri=...)" % local_path
        )
        self.local_path = local_path
