"""Views of the page engine, one module a topic: parse input, call one service or selector,
render. This package re-exports the views that wikispiral/wiki/urls.py mounts."""

from wikispiral.wiki.views.attachments import attachment_file, attachment_list
from wikispiral.wiki.views.browse import recent_changes, search
from wikispiral.wiki.views.history import (
    page_diff,
    page_history,
    page_history_feed,
    page_revert,
    revision_detail,
)
from wikispiral.wiki.views.manage import page_delete, page_move, page_protect, page_restore
from wikispiral.wiki.views.pages import (
    home,
    page_detail,
    page_edit,
    page_new,
    page_print,
    space_home,
)

__all__ = [
    "attachment_file",
    "attachment_list",
    "home",
    "page_delete",
    "page_detail",
    "page_diff",
    "page_edit",
    "page_history",
    "page_history_feed",
    "page_move",
    "page_new",
    "page_print",
    "page_protect",
    "page_restore",
    "page_revert",
    "recent_changes",
    "revision_detail",
    "search",
    "space_home",
]
