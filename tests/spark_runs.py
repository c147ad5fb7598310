"""What the Spark tier's tests share: the Spark environment and the
variables a Spark run on this machine needs."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPARK_BIN = REPO / ".venv-spark" / "bin"


def spark_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SEGMENTS_SPARK_DIR": str(folder / "spark"),
        # Spark looks up the machine's name otherwise, which may not resolve
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
