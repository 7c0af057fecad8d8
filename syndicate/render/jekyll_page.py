"""`page.*` for a post's Liquid, as Jekyll fills it: the front matter plus what Jekyll adds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syndicate.model import Post


def page_variables(post: Post, meta: Mapping[str, Any]) -> dict[str, Any]:
    categories = [*post.folder_categories, *post.categories]
    page = {str(key): value for key, value in meta.items()}
    page.update(
        title=post.title, url=post.path, date=post.date, categories=categories, tags=list(post.tags),
        slug=post.slug, path=post.source, relative_path=post.source, collection="posts", output_ext=".html",
        id="/" + "/".join([*categories, post.slug]),
    )
    return page
