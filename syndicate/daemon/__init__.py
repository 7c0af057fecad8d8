"""`syndicate run`: the scheduler, its channels and jobs, delivery and the jobs' state."""
