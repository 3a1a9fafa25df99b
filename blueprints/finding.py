"""Finding: search over the articles, without regard to case or diacritics."""
from flask import Blueprint, current_app, request

from web.htmx import render_page_or_fragment
from services.content.pagination import paginate_clamped, parse_page
from services.search.index import search_articles
from services.search.text import highlight, html_to_text, parse_query, result_snippet

bp = Blueprint("finding", __name__)


@bp.get("/tim-kiem")
def search():
    """Articles matching the reader's words, without regard to case or diacritics, best match first."""
    query = parse_query(request.args.get("q"))
    pagination = None
    results = []
    if not query.is_empty:
        pagination = paginate_clamped(
            search_articles(query), parse_page(request.args.get("trang")), current_app.config["ARTICLES_PER_PAGE"]
        )
        results = [
            {
                "article": article,
                "title": highlight(article.title, query),
                "snippet": result_snippet(article.summary, html_to_text(article.body_html), query),
            }
            for article in pagination.items
        ]
    return render_page_or_fragment(
        "finding/search.html", "finding/_results.html",
        query=query, pagination=pagination, results=results,
        list_endpoint="finding.search", list_args={"q": query.text},
    )
