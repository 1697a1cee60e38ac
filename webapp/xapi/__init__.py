"""Learning records: xAPI statements of lessons, quizzes, role-play calls and certificates, sent
to a Learning Record Store through the job queue. Off unless HOTLINE_LRS_URL is set."""
