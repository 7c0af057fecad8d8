"""What subscribers get beside the feeds: pages, OPML, archives, WebSub pings, the preview server."""
