"""The feed pipeline: one build reads the site, selects each feed's posts, and writes what changed."""
