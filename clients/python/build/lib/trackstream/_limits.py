"""The shared event contract's limits (design doc; packages/events/src/limits.ts holds the same numbers)."""
import re

KEY_LENGTH = 250
PARAM_VALUE_LENGTH = 6000
TAG_VALUE_LENGTH = 5000
POINTS_PER_EVENT = 1000
EVENTS_PER_BATCH = 1000
BATCH_BYTES = 4 * 1024 * 1024
KEYS_PER_EVENT = 1000
ENTRIES_PER_MAP = 1000
LINEAGE_REFS_PER_EVENT = 1000
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z")
# The schema's long range: the Avro encoder is exact up to one below 2**53 - 1.
MAX_LONG = 2**53 - 2
