"""Run the project's own ingest (``sdw.ingest.inbox.ingest_inbox``) on one inbox, in its own
process so the harness can time it and measure the RSS of it and its worker pool.

    python -m bench.ingest_child URL INBOX DAG_ID BATCH_ID [WORKERS]

Prints the batch summary as JSON on the last line of stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench.common import PSEUDONYM_KEY


def main(argv: list[str]) -> int:
    url, inbox, dag_id, batch_id = argv[:4]
    workers = int(argv[4]) if len(argv) > 4 else None
    from sdw.ingest.inbox import ingest_inbox

    started = time.perf_counter()
    report = ingest_inbox(Path(inbox), url, PSEUDONYM_KEY, batch_id, workers=workers, dag_id=dag_id)
    summary = report.to_dict()
    summary["quarantined_files"] = summary["quarantined_files"][:20]  # type: ignore[index]
    summary["ingest_inbox_s"] = time.perf_counter() - started
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
