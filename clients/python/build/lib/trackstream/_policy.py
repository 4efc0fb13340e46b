"""Backpressure policies (as packages/sdk/src/policy.ts): what log() does while the gateway fails or memory is full.

'block' keeps every point (spilling to disk; log() waits only if even the sealer cannot keep up); 'downsample' keeps
every Nth point of each key logged under pressure; 'drop' drops points logged with debug=True. Only metrics."""

POLICIES = ("block", "downsample", "drop")


class PolicyGate:
    def __init__(self, policy, downsample_every):
        self.policy = policy
        self.downsample_every = downsample_every
        self._phase = {}
        self.dropped = 0
        self.dropped_by_key = {}
        self.downsampled = 0
        self.downsampled_by_key = {}

    def keep(self, key, debug):
        """Called only under pressure."""
        if self.policy == "block":
            return True
        if self.policy == "drop":
            if not debug:
                return True
            self.dropped += 1
            self.dropped_by_key[key] = self.dropped_by_key.get(key, 0) + 1
            return False
        n = self._phase.get(key, 0)
        self._phase[key] = 0 if n + 1 == self.downsample_every else n + 1
        if n == 0:
            return True
        self.downsampled += 1
        self.downsampled_by_key[key] = self.downsampled_by_key.get(key, 0) + 1
        return False

    def snapshot(self):
        return {
            "dropped": self.dropped,
            "dropped_by_key": dict(self.dropped_by_key),
            "downsampled": self.downsampled,
            "downsampled_by_key": dict(self.downsampled_by_key),
        }
