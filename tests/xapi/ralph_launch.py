"""Ralph's LRS on 127.0.0.1 with its file-system backend and one Basic-auth user.

Runs in Ralph's own virtualenv (see tests/xapi/lrs_server.py), not in the app's:
    python ralph_launch.py DATA_DIR PORT USERNAME PASSWORD
"""
import json
import os
import sys
from pathlib import Path

data_dir, port, username, password = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
auth_file = data_dir / "auth.json"
# Ralph reads its settings from the environment when first imported.
os.environ.update({
    "RALPH_RUNSERVER_BACKEND": "fs",
    "RALPH_AUTH_FILE": str(auth_file),
    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(data_dir / "statements"),
})

import bcrypt  # noqa: E402
import uvicorn  # noqa: E402
from ralph.backends.data.base import BaseOperationType  # noqa: E402
from ralph.backends.lrs.fs import FSLRSBackend  # noqa: E402

if not auth_file.exists():
    # Low bcrypt cost: Ralph checks the password on every request.
    digest = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    auth_file.write_text(json.dumps([{
        "agent": {"mbox": "mailto:lrs@example.com", "objectType": "Agent"},
        "scopes": ["all"], "hash": digest, "username": username,
    }]))
# The fs backend creates its file on the first write and refuses every later one unless it appends.
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=port, log_level="warning")
