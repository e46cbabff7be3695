"""Community reply assistant: triage brand mentions, draft replies, review them in Slack."""

import os

# numpy's OpenBLAS keeps a thread per core; beside torch's OpenMP threads (the encoder
# and the generator) they fight over the same cores, and a 1,746 x 384 product that
# takes 0.1 ms took 8 ms (measured on a 2-core Xeon with torch loaded). Our numpy
# products are small: one thread does them best. The variables cover a numpy not yet
# loaded; threadpoolctl one that is (a test runner's, say). A user's own setting wins.
# (Not MKL_NUM_THREADS: torch reads it too, and the encoder ran 3x slower with it at 1.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if os.environ["OPENBLAS_NUM_THREADS"] == "1":
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
