// GENERATED from schemas/trackstream.events.v1/ by `npm run generate -w @trackstream/events`. Do not edit by hand.
import type { CatalogueSource } from '../avro-schema';

export const CATALOGUE_SOURCE: CatalogueSource = {
  "topic": "trackstream.events.v1",
  "versions": [
    {
      "version": 1,
      "file": "event.v1.avsc",
      "fingerprint": "a073d5e0f01cfd11",
      "schema": {
        "type": "record",
        "name": "Event",
        "namespace": "trackstream.events",
        "doc": "One Trackstream event as stored in Kafka (topic trackstream.events.v1): the envelope, the fields the gateway adds, and the payload whose union branch names the event type. Attributes prefixed 'trackstream.' are validation metadata for producers' JSON; Avro readers ignore them. run_id is null only for experiment_created.",
        "fields": [
          {
            "name": "event_id",
            "type": {
              "type": "string",
              "trackstream.format": "uuid"
            },
            "doc": "Chosen by the producer; a retry re-sends the same id."
          },
          {
            "name": "project",
            "type": {
              "type": "string",
              "trackstream.format": "id"
            }
          },
          {
            "name": "experiment_id",
            "type": {
              "type": "string",
              "trackstream.format": "id"
            }
          },
          {
            "name": "run_id",
            "type": [
              "null",
              {
                "type": "string",
                "trackstream.format": "id"
              }
            ],
            "default": null,
            "doc": "Null only for experiment_created."
          },
          {
            "name": "occurred_at",
            "type": {
              "type": "long",
              "trackstream.minimum": 0
            },
            "doc": "Milliseconds since the epoch, producer clock."
          },
          {
            "name": "received_at",
            "type": "long",
            "trackstream.origin": "gateway",
            "doc": "Milliseconds since the epoch, gateway clock."
          },
          {
            "name": "principal",
            "type": "string",
            "trackstream.origin": "gateway",
            "doc": "The authenticated principal that sent the event."
          },
          {
            "name": "payload",
            "doc": "The union branch is the event type: the record name in snake_case (ExperimentCreated is experiment_created).",
            "type": [
              {
                "type": "record",
                "name": "ExperimentCreated",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  },
                  {
                    "name": "description",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunStarted",
                "fields": [
                  {
                    "name": "run_name",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "user",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "parent_run_id",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.format": "id"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "source",
                    "type": {
                      "type": "record",
                      "name": "RunSource",
                      "fields": [
                        {
                          "name": "git_commit",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "git_branch",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "git_dirty",
                          "type": [
                            "null",
                            "boolean"
                          ],
                          "default": null
                        },
                        {
                          "name": "entry_point",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "tagValueLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "host",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        }
                      ]
                    },
                    "default": {
                      "git_commit": null,
                      "git_branch": null,
                      "git_dirty": null,
                      "entry_point": null,
                      "host": null
                    }
                  },
                  {
                    "name": "start_time",
                    "type": {
                      "type": "long",
                      "trackstream.minimum": 0
                    },
                    "doc": "Milliseconds since the epoch."
                  },
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  },
                  {
                    "name": "context",
                    "doc": "Environment of the run: argv, runtime version, dependencies, selected environment variables.",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "ParamsLogged",
                "fields": [
                  {
                    "name": "params",
                    "doc": "A param is immutable: a different value for an existing key is a conflict.",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "MetricsLogged",
                "fields": [
                  {
                    "name": "points",
                    "type": {
                      "type": "array",
                      "trackstream.maxItems": "pointsPerEvent",
                      "items": {
                        "type": "record",
                        "name": "MetricPoint",
                        "fields": [
                          {
                            "name": "key",
                            "type": {
                              "type": "string",
                              "trackstream.minLength": 1,
                              "trackstream.maxLength": "keyLength"
                            }
                          },
                          {
                            "name": "value",
                            "type": "double",
                            "doc": "NaN and +/-Infinity allowed (JSON: \"NaN\", \"Infinity\", \"-Infinity\")."
                          },
                          {
                            "name": "step",
                            "type": "long"
                          },
                          {
                            "name": "timestamp",
                            "type": {
                              "type": "long",
                              "trackstream.minimum": 0
                            },
                            "doc": "Milliseconds since the epoch."
                          }
                        ]
                      }
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "TagsSet",
                "fields": [
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "TagsDeleted",
                "fields": [
                  {
                    "name": "keys",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "ArtifactLogged",
                "fields": [
                  {
                    "name": "path",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  },
                  {
                    "name": "uri",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  },
                  {
                    "name": "size_bytes",
                    "type": [
                      "null",
                      {
                        "type": "long",
                        "trackstream.minimum": 0
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "sha256",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.format": "sha256"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "media_type",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  }
                ]
              },
              {
                "type": "record",
                "name": "LineageRecorded",
                "fields": [
                  {
                    "name": "inputs",
                    "type": {
                      "type": "array",
                      "trackstream.maxItems": "lineageRefsPerEvent",
                      "items": {
                        "type": "record",
                        "name": "LineageRef",
                        "fields": [
                          {
                            "name": "kind",
                            "type": {
                              "type": "enum",
                              "name": "LineageKind",
                              "symbols": [
                                "dataset",
                                "model",
                                "code",
                                "run"
                              ]
                            }
                          },
                          {
                            "name": "name",
                            "type": {
                              "type": "string",
                              "trackstream.minLength": 1,
                              "trackstream.maxLength": "tagValueLength"
                            }
                          },
                          {
                            "name": "version",
                            "type": [
                              "null",
                              {
                                "type": "string",
                                "trackstream.maxLength": "keyLength"
                              }
                            ],
                            "default": null
                          },
                          {
                            "name": "digest",
                            "type": [
                              "null",
                              {
                                "type": "string",
                                "trackstream.maxLength": "keyLength"
                              }
                            ],
                            "default": null
                          }
                        ]
                      }
                    },
                    "default": []
                  },
                  {
                    "name": "outputs",
                    "type": {
                      "type": "array",
                      "items": "LineageRef",
                      "trackstream.maxItems": "lineageRefsPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunCompleted",
                "fields": [
                  {
                    "name": "status",
                    "type": {
                      "type": "enum",
                      "name": "RunStatus",
                      "symbols": [
                        "FINISHED",
                        "FAILED",
                        "KILLED"
                      ]
                    }
                  },
                  {
                    "name": "end_time",
                    "type": {
                      "type": "long",
                      "trackstream.minimum": 0
                    },
                    "doc": "Milliseconds since the epoch."
                  }
                ]
              }
            ]
          }
        ]
      }
    },
    {
      "version": 2,
      "file": "event.v2.avsc",
      "fingerprint": "a236958c94a90488",
      "schema": {
        "type": "record",
        "name": "Event",
        "namespace": "trackstream.events",
        "doc": "One Trackstream event as stored in Kafka (topic trackstream.events.v1): the envelope, the fields the gateway adds, and the payload whose union branch names the event type. Attributes prefixed 'trackstream.' are validation metadata for producers' JSON; Avro readers ignore them. run_id is null only for experiment-level events (experiment_created, experiment_renamed, experiment_deleted, experiment_restored, experiment_tags_set, experiment_tags_deleted).",
        "fields": [
          {
            "name": "event_id",
            "type": {
              "type": "string",
              "trackstream.format": "uuid"
            },
            "doc": "Chosen by the producer; a retry re-sends the same id."
          },
          {
            "name": "project",
            "type": {
              "type": "string",
              "trackstream.format": "id"
            }
          },
          {
            "name": "experiment_id",
            "type": {
              "type": "string",
              "trackstream.format": "id"
            }
          },
          {
            "name": "run_id",
            "type": [
              "null",
              {
                "type": "string",
                "trackstream.format": "id"
              }
            ],
            "default": null,
            "doc": "Null only for experiment-level events."
          },
          {
            "name": "occurred_at",
            "type": {
              "type": "long",
              "trackstream.minimum": 0
            },
            "doc": "Milliseconds since the epoch, producer clock."
          },
          {
            "name": "received_at",
            "type": "long",
            "trackstream.origin": "gateway",
            "doc": "Milliseconds since the epoch, gateway clock."
          },
          {
            "name": "principal",
            "type": "string",
            "trackstream.origin": "gateway",
            "doc": "The authenticated principal that sent the event."
          },
          {
            "name": "payload",
            "doc": "The union branch is the event type: the record name in snake_case (ExperimentCreated is experiment_created).",
            "type": [
              {
                "type": "record",
                "name": "ExperimentCreated",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  },
                  {
                    "name": "description",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunStarted",
                "fields": [
                  {
                    "name": "run_name",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "user",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "parent_run_id",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.format": "id"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "source",
                    "type": {
                      "type": "record",
                      "name": "RunSource",
                      "fields": [
                        {
                          "name": "git_commit",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "git_branch",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "git_dirty",
                          "type": [
                            "null",
                            "boolean"
                          ],
                          "default": null
                        },
                        {
                          "name": "entry_point",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "tagValueLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "host",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        }
                      ]
                    },
                    "default": {
                      "git_commit": null,
                      "git_branch": null,
                      "git_dirty": null,
                      "entry_point": null,
                      "host": null
                    }
                  },
                  {
                    "name": "start_time",
                    "type": {
                      "type": "long",
                      "trackstream.minimum": 0
                    },
                    "doc": "Milliseconds since the epoch."
                  },
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  },
                  {
                    "name": "context",
                    "doc": "Environment of the run: argv, runtime version, dependencies, selected environment variables.",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "ParamsLogged",
                "fields": [
                  {
                    "name": "params",
                    "doc": "A param is immutable: a different value for an existing key is a conflict.",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "MetricsLogged",
                "fields": [
                  {
                    "name": "points",
                    "type": {
                      "type": "array",
                      "trackstream.maxItems": "pointsPerEvent",
                      "items": {
                        "type": "record",
                        "name": "MetricPoint",
                        "fields": [
                          {
                            "name": "key",
                            "type": {
                              "type": "string",
                              "trackstream.minLength": 1,
                              "trackstream.maxLength": "keyLength"
                            }
                          },
                          {
                            "name": "value",
                            "type": "double",
                            "doc": "NaN and +/-Infinity allowed (JSON: \"NaN\", \"Infinity\", \"-Infinity\")."
                          },
                          {
                            "name": "step",
                            "type": "long"
                          },
                          {
                            "name": "timestamp",
                            "type": {
                              "type": "long",
                              "trackstream.minimum": 0
                            },
                            "doc": "Milliseconds since the epoch."
                          }
                        ]
                      }
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "TagsSet",
                "fields": [
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "TagsDeleted",
                "fields": [
                  {
                    "name": "keys",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "ArtifactLogged",
                "fields": [
                  {
                    "name": "path",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  },
                  {
                    "name": "uri",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  },
                  {
                    "name": "size_bytes",
                    "type": [
                      "null",
                      {
                        "type": "long",
                        "trackstream.minimum": 0
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "sha256",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.format": "sha256"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "media_type",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  }
                ]
              },
              {
                "type": "record",
                "name": "LineageRecorded",
                "fields": [
                  {
                    "name": "inputs",
                    "type": {
                      "type": "array",
                      "trackstream.maxItems": "lineageRefsPerEvent",
                      "items": {
                        "type": "record",
                        "name": "LineageRef",
                        "fields": [
                          {
                            "name": "kind",
                            "type": {
                              "type": "enum",
                              "name": "LineageKind",
                              "symbols": [
                                "dataset",
                                "model",
                                "code",
                                "run"
                              ]
                            }
                          },
                          {
                            "name": "name",
                            "type": {
                              "type": "string",
                              "trackstream.minLength": 1,
                              "trackstream.maxLength": "tagValueLength"
                            }
                          },
                          {
                            "name": "version",
                            "type": [
                              "null",
                              {
                                "type": "string",
                                "trackstream.maxLength": "keyLength"
                              }
                            ],
                            "default": null
                          },
                          {
                            "name": "digest",
                            "type": [
                              "null",
                              {
                                "type": "string",
                                "trackstream.maxLength": "keyLength"
                              }
                            ],
                            "default": null
                          }
                        ]
                      }
                    },
                    "default": []
                  },
                  {
                    "name": "outputs",
                    "type": {
                      "type": "array",
                      "items": "LineageRef",
                      "trackstream.maxItems": "lineageRefsPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunCompleted",
                "fields": [
                  {
                    "name": "status",
                    "type": {
                      "type": "enum",
                      "name": "RunStatus",
                      "symbols": [
                        "FINISHED",
                        "FAILED",
                        "KILLED"
                      ]
                    }
                  },
                  {
                    "name": "end_time",
                    "type": {
                      "type": "long",
                      "trackstream.minimum": 0
                    },
                    "doc": "Milliseconds since the epoch."
                  }
                ]
              },
              {
                "type": "record",
                "name": "ExperimentRenamed",
                "doc": "The experiment gets a new name (names are unique within a project; the producer checks).",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  }
                ]
              },
              {
                "type": "record",
                "name": "ExperimentDeleted",
                "doc": "Soft delete: the experiment and its runs leave the active view; restorable.",
                "fields": []
              },
              {
                "type": "record",
                "name": "ExperimentRestored",
                "doc": "Undoes experiment_deleted.",
                "fields": []
              },
              {
                "type": "record",
                "name": "ExperimentTagsSet",
                "fields": [
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "ExperimentTagsDeleted",
                "fields": [
                  {
                    "name": "keys",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunDeleted",
                "doc": "Soft delete: the run leaves the active view; restorable.",
                "fields": []
              },
              {
                "type": "record",
                "name": "RunRestored",
                "doc": "Undoes run_deleted.",
                "fields": []
              },
              {
                "type": "record",
                "name": "RunUpdated",
                "doc": "Changes a run's name, status or end time; null fields stay as they are.",
                "fields": [
                  {
                    "name": "run_name",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "status",
                    "type": [
                      "null",
                      {
                        "type": "enum",
                        "name": "RunState",
                        "doc": "Every state of a run, as MLflow names them.",
                        "symbols": [
                          "RUNNING",
                          "SCHEDULED",
                          "FINISHED",
                          "FAILED",
                          "KILLED"
                        ]
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "end_time",
                    "type": [
                      "null",
                      {
                        "type": "long",
                        "trackstream.minimum": 0
                      }
                    ],
                    "default": null,
                    "doc": "Milliseconds since the epoch."
                  }
                ]
              }
            ]
          }
        ]
      }
    },
    {
      "version": 3,
      "file": "event.v3.avsc",
      "fingerprint": "5d48f0b7ef2b2dfc",
      "schema": {
        "type": "record",
        "name": "Event",
        "namespace": "trackstream.events",
        "doc": "One Trackstream event as stored in Kafka (topic trackstream.events.v1): the envelope, the fields the gateway adds, and the payload whose union branch names the event type. Attributes prefixed 'trackstream.' are validation metadata for producers' JSON; Avro readers ignore them. run_id is null only for experiment-level events (experiment_created, experiment_renamed, experiment_deleted, experiment_restored, experiment_tags_set, experiment_tags_deleted).",
        "fields": [
          {
            "name": "event_id",
            "type": {
              "type": "string",
              "trackstream.format": "uuid"
            },
            "doc": "Chosen by the producer; a retry re-sends the same id."
          },
          {
            "name": "project",
            "type": {
              "type": "string",
              "trackstream.format": "id"
            }
          },
          {
            "name": "experiment_id",
            "type": {
              "type": "string",
              "trackstream.format": "id"
            }
          },
          {
            "name": "run_id",
            "type": [
              "null",
              {
                "type": "string",
                "trackstream.format": "id"
              }
            ],
            "default": null,
            "doc": "Null only for experiment-level events."
          },
          {
            "name": "occurred_at",
            "type": {
              "type": "long",
              "trackstream.minimum": 0
            },
            "doc": "Milliseconds since the epoch, producer clock."
          },
          {
            "name": "received_at",
            "type": "long",
            "trackstream.origin": "gateway",
            "doc": "Milliseconds since the epoch, gateway clock."
          },
          {
            "name": "principal",
            "type": "string",
            "trackstream.origin": "gateway",
            "doc": "The authenticated principal that sent the event."
          },
          {
            "name": "payload",
            "doc": "The union branch is the event type: the record name in snake_case (ExperimentCreated is experiment_created).",
            "type": [
              {
                "type": "record",
                "name": "ExperimentCreated",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  },
                  {
                    "name": "description",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunStarted",
                "fields": [
                  {
                    "name": "run_name",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "user",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "parent_run_id",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.format": "id"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "source",
                    "type": {
                      "type": "record",
                      "name": "RunSource",
                      "fields": [
                        {
                          "name": "git_commit",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "git_branch",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "git_dirty",
                          "type": [
                            "null",
                            "boolean"
                          ],
                          "default": null
                        },
                        {
                          "name": "entry_point",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "tagValueLength"
                            }
                          ],
                          "default": null
                        },
                        {
                          "name": "host",
                          "type": [
                            "null",
                            {
                              "type": "string",
                              "trackstream.maxLength": "keyLength"
                            }
                          ],
                          "default": null
                        }
                      ]
                    },
                    "default": {
                      "git_commit": null,
                      "git_branch": null,
                      "git_dirty": null,
                      "entry_point": null,
                      "host": null
                    }
                  },
                  {
                    "name": "start_time",
                    "type": {
                      "type": "long",
                      "trackstream.minimum": 0
                    },
                    "doc": "Milliseconds since the epoch."
                  },
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  },
                  {
                    "name": "context",
                    "doc": "Environment of the run: argv, runtime version, dependencies, selected environment variables.",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "ParamsLogged",
                "fields": [
                  {
                    "name": "params",
                    "doc": "A param is immutable: a different value for an existing key is a conflict.",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "MetricsLogged",
                "fields": [
                  {
                    "name": "points",
                    "type": {
                      "type": "array",
                      "trackstream.maxItems": "pointsPerEvent",
                      "items": {
                        "type": "record",
                        "name": "MetricPoint",
                        "fields": [
                          {
                            "name": "key",
                            "type": {
                              "type": "string",
                              "trackstream.minLength": 1,
                              "trackstream.maxLength": "keyLength"
                            }
                          },
                          {
                            "name": "value",
                            "type": "double",
                            "doc": "NaN and +/-Infinity allowed (JSON: \"NaN\", \"Infinity\", \"-Infinity\")."
                          },
                          {
                            "name": "step",
                            "type": "long"
                          },
                          {
                            "name": "timestamp",
                            "type": {
                              "type": "long",
                              "trackstream.minimum": 0
                            },
                            "doc": "Milliseconds since the epoch."
                          }
                        ]
                      }
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "TagsSet",
                "fields": [
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "TagsDeleted",
                "fields": [
                  {
                    "name": "keys",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "ArtifactLogged",
                "fields": [
                  {
                    "name": "path",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  },
                  {
                    "name": "uri",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  },
                  {
                    "name": "size_bytes",
                    "type": [
                      "null",
                      {
                        "type": "long",
                        "trackstream.minimum": 0
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "sha256",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.format": "sha256"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "media_type",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  }
                ]
              },
              {
                "type": "record",
                "name": "LineageRecorded",
                "fields": [
                  {
                    "name": "inputs",
                    "type": {
                      "type": "array",
                      "trackstream.maxItems": "lineageRefsPerEvent",
                      "items": {
                        "type": "record",
                        "name": "LineageRef",
                        "fields": [
                          {
                            "name": "kind",
                            "type": {
                              "type": "enum",
                              "name": "LineageKind",
                              "symbols": [
                                "dataset",
                                "model",
                                "code",
                                "run"
                              ]
                            }
                          },
                          {
                            "name": "name",
                            "type": {
                              "type": "string",
                              "trackstream.minLength": 1,
                              "trackstream.maxLength": "tagValueLength"
                            }
                          },
                          {
                            "name": "version",
                            "type": [
                              "null",
                              {
                                "type": "string",
                                "trackstream.maxLength": "keyLength"
                              }
                            ],
                            "default": null
                          },
                          {
                            "name": "digest",
                            "type": [
                              "null",
                              {
                                "type": "string",
                                "trackstream.maxLength": "keyLength"
                              }
                            ],
                            "default": null
                          }
                        ]
                      }
                    },
                    "default": []
                  },
                  {
                    "name": "outputs",
                    "type": {
                      "type": "array",
                      "items": "LineageRef",
                      "trackstream.maxItems": "lineageRefsPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunCompleted",
                "fields": [
                  {
                    "name": "status",
                    "type": {
                      "type": "enum",
                      "name": "RunStatus",
                      "symbols": [
                        "FINISHED",
                        "FAILED",
                        "KILLED"
                      ]
                    }
                  },
                  {
                    "name": "end_time",
                    "type": {
                      "type": "long",
                      "trackstream.minimum": 0
                    },
                    "doc": "Milliseconds since the epoch."
                  }
                ]
              },
              {
                "type": "record",
                "name": "ExperimentRenamed",
                "doc": "The experiment gets a new name (names are unique within a project; the producer checks).",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  }
                ]
              },
              {
                "type": "record",
                "name": "ExperimentDeleted",
                "doc": "Soft delete: the experiment and its runs leave the active view; restorable.",
                "fields": []
              },
              {
                "type": "record",
                "name": "ExperimentRestored",
                "doc": "Undoes experiment_deleted.",
                "fields": []
              },
              {
                "type": "record",
                "name": "ExperimentTagsSet",
                "fields": [
                  {
                    "name": "tags",
                    "type": {
                      "type": "map",
                      "values": {
                        "type": "string",
                        "trackstream.maxLength": "tagValueLength"
                      },
                      "trackstream.keyMaxLength": "keyLength",
                      "trackstream.maxEntries": "entriesPerMap"
                    },
                    "default": {}
                  }
                ]
              },
              {
                "type": "record",
                "name": "ExperimentTagsDeleted",
                "fields": [
                  {
                    "name": "keys",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunDeleted",
                "doc": "Soft delete: the run leaves the active view; restorable.",
                "fields": []
              },
              {
                "type": "record",
                "name": "RunRestored",
                "doc": "Undoes run_deleted.",
                "fields": []
              },
              {
                "type": "record",
                "name": "RunUpdated",
                "doc": "Changes a run's name, status or end time; null fields stay as they are.",
                "fields": [
                  {
                    "name": "run_name",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "keyLength"
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "status",
                    "type": [
                      "null",
                      {
                        "type": "enum",
                        "name": "RunState",
                        "doc": "Every state of a run, as MLflow names them.",
                        "symbols": [
                          "RUNNING",
                          "SCHEDULED",
                          "FINISHED",
                          "FAILED",
                          "KILLED"
                        ]
                      }
                    ],
                    "default": null
                  },
                  {
                    "name": "end_time",
                    "type": [
                      "null",
                      {
                        "type": "long",
                        "trackstream.minimum": 0
                      }
                    ],
                    "default": null,
                    "doc": "Milliseconds since the epoch."
                  }
                ]
              },
              {
                "type": "record",
                "name": "NoteAdded",
                "doc": "A markdown note on the run (run_id set) or on the experiment (run_id null); its author is the event's principal.",
                "fields": [
                  {
                    "name": "note_id",
                    "type": {
                      "type": "string",
                      "trackstream.format": "uuid"
                    },
                    "doc": "Chosen by the producer; edits and deletion name it."
                  },
                  {
                    "name": "text",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    },
                    "doc": "Markdown."
                  }
                ]
              },
              {
                "type": "record",
                "name": "NoteEdited",
                "doc": "Replaces a note's text (the author stays; the editor is the event's principal).",
                "fields": [
                  {
                    "name": "note_id",
                    "type": {
                      "type": "string",
                      "trackstream.format": "uuid"
                    }
                  },
                  {
                    "name": "text",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  }
                ]
              },
              {
                "type": "record",
                "name": "NoteDeleted",
                "doc": "Removes a note.",
                "fields": [
                  {
                    "name": "note_id",
                    "type": {
                      "type": "string",
                      "trackstream.format": "uuid"
                    }
                  }
                ]
              },
              {
                "type": "record",
                "name": "AnnotationAdded",
                "doc": "A remark at one step of a run's metric.",
                "fields": [
                  {
                    "name": "annotation_id",
                    "type": {
                      "type": "string",
                      "trackstream.format": "uuid"
                    }
                  },
                  {
                    "name": "key",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    },
                    "doc": "The metric key."
                  },
                  {
                    "name": "step",
                    "type": "long"
                  },
                  {
                    "name": "text",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "tagValueLength"
                    }
                  }
                ]
              },
              {
                "type": "record",
                "name": "AnnotationDeleted",
                "fields": [
                  {
                    "name": "annotation_id",
                    "type": {
                      "type": "string",
                      "trackstream.format": "uuid"
                    }
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunStarred",
                "doc": "The event's principal stars (true) or unstars (false) the run.",
                "fields": [
                  {
                    "name": "starred",
                    "type": "boolean"
                  }
                ]
              },
              {
                "type": "record",
                "name": "RunPinned",
                "doc": "Pins (true) or unpins (false) the run in its experiment, for everyone.",
                "fields": [
                  {
                    "name": "pinned",
                    "type": "boolean"
                  }
                ]
              },
              {
                "type": "record",
                "name": "ViewSaved",
                "doc": "A named view of the experiment's runs table (saving a name again replaces it).",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  },
                  {
                    "name": "filter",
                    "type": [
                      "null",
                      {
                        "type": "string",
                        "trackstream.maxLength": "paramValueLength"
                      }
                    ],
                    "default": null,
                    "doc": "The search filter (runs search grammar)."
                  },
                  {
                    "name": "order_by",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  },
                  {
                    "name": "columns",
                    "type": {
                      "type": "array",
                      "items": {
                        "type": "string",
                        "trackstream.minLength": 1,
                        "trackstream.maxLength": "keyLength"
                      },
                      "trackstream.maxItems": "keysPerEvent"
                    },
                    "default": []
                  }
                ]
              },
              {
                "type": "record",
                "name": "ViewDeleted",
                "fields": [
                  {
                    "name": "name",
                    "type": {
                      "type": "string",
                      "trackstream.minLength": 1,
                      "trackstream.maxLength": "keyLength"
                    }
                  }
                ]
              }
            ]
          }
        ]
      }
    }
  ]
};
