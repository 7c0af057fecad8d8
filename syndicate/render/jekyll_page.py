"""`page.*` for a post's Liquid, as Jekyll fills it: the front matter plus what Jekyll adds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from syndicate.model import Post

if TYPE_CHECKING:
    from syndicate.config import Settings
    from syndicate.render.pipeline import RenderContext
    from syndicate.render.post_list import PostList


def page_variables(post: Post, meta: Mapping[str, Any]) -> dict[str, Any]:
    categories = [*post.folder_categories, *post.categories]
    page = {str(key): value for key, value in meta.items()}
    page.update(
        title=post.title, url=post.path, date=post.date, categories=categories, tags=list(post.tags),
        slug=post.slug, path=post.source, relative_path=post.source, collection="posts", output_ext=".html",
        id="/" + "/".join([*categories, post.slug]),
    )
    return page


def render_context(settings: Settings, post: Post, meta: Mapping[str, Any] | None, body_line: int,
                   posts: PostList | None = None) -> RenderContext:
    """Everything rendering one post's body needs from the site's settings and the post;
    `posts`: `site.posts` (post_list.py), when made."""
    from syndicate.render.pipeline import RenderContext

    return RenderContext(
        base_url=settings.base_url, page_url=post.url, source=post.source,
        language_code=settings.language(post.language).code, dateline=post.dateline,
        summary_limit=settings.summary_limit, body_line=body_line, dateline_joiner=settings.dateline_joiner,
        includes_dir=settings.includes_dir, includes_version=settings.includes_digest, site=settings.site_variables,
        page=page_variables(post, meta or {}), background_image=settings.background_image,
        youtube=post.youtube, title=post.title, posts=posts,
    )
