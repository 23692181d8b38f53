"""Example workflow: build a small static site from Markdown and publish it, safely.

It shows the engine at work on something you can look at afterwards. Steps that touch
files are plain functions (the engine runs them in a worker thread); the others are async.


    collect ─┬─ render (retried: the first attempt hits a "flaky" theme fetch)
             ├─ check_links
             └─ search_index (only when with_search_index is true)
                   └─ publish (side effects: a plan in --dry-run; undone on failure)
                         └─ verify (fails on purpose with -i break_verify=true)

    devora run examples/publish_site.py:publish_site
    devora run examples/publish_site.py:publish_site --dry-run
    devora run examples/publish_site.py:publish_site -i break_verify=true   # rolls back
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

from devora.engine import Plan, Retry, Step, StepContext, Workflow
from devora.errors import StepError

HERE = Path(__file__).resolve().parent


class SiteInputs(BaseModel):
    """What to build and where to publish it."""

    source: str = Field(default=str(HERE / "site"), description="folder of Markdown pages")
    out_dir: str = Field(default=".devora/example-site", description="where the site is published")
    with_search_index: bool = Field(default=True, description="also publish search.json")
    flaky_render: bool = Field(default=True, description="fail render's first attempt (retry)")
    break_verify: bool = Field(default=False, description="fail verify: watch publish roll back")


class Page(BaseModel):
    """One Markdown page of the site."""

    name: str
    title: str
    markdown: str


class Pages(BaseModel):
    """Every page found in the source folder."""

    pages: list[Page]


class Published(BaseModel):
    """What publish changed, with what it replaced, so it can be undone."""

    out_dir: str
    written: list[str]
    replaced: dict[str, str] = Field(default_factory=dict)
    created_dir: bool = False


def collect(ctx: StepContext[SiteInputs]) -> Pages:
    """Read the Markdown pages."""
    source = Path(ctx.inputs.source)
    if not source.is_dir():
        raise StepError(f"source folder {source} does not exist")
    pages = []
    for path in sorted(source.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), path.stem)
        pages.append(Page(name=path.stem, title=title, markdown=text))
    if not pages:
        raise StepError(f"no .md pages in {source}")
    ctx.log(f"found {len(pages)} pages")
    return Pages(pages=pages)


async def render(ctx: StepContext[SiteInputs]) -> dict[str, str]:
    """Turn each page into HTML."""
    if ctx.inputs.flaky_render and ctx.attempt == 1:
        raise ConnectionError("theme download timed out (simulated); the retry policy retries")
    rendered = {}
    for page in ctx.result(collect_step).pages:
        rendered[f"{page.name}.html"] = _to_html(page)
    ctx.log(f"rendered {len(rendered)} pages")
    return rendered


async def check_links(ctx: StepContext[SiteInputs]) -> int:
    """Fail when a page links to a page that does not exist."""
    pages = ctx.result(collect_step).pages
    names = {page.name for page in pages}
    broken = []
    checked = 0
    for page in pages:
        for target in re.findall(r"\]\(([^)]+)\.md\)", page.markdown):
            checked += 1
            if target not in names:
                broken.append(f"{page.name}.md -> {target}.md")
    if broken:
        raise StepError(f"broken links: {', '.join(broken)}")
    ctx.log(f"{checked} internal links ok")
    return checked


async def search_index(ctx: StepContext[SiteInputs]) -> dict[str, list[str]]:
    """Map each word to the pages that use it."""
    index: dict[str, set[str]] = {}
    for page in ctx.result(collect_step).pages:
        for word in re.findall(r"[a-z]{4,}", page.markdown.lower()):
            index.setdefault(word, set()).add(page.name)
    return {word: sorted(names) for word, names in sorted(index.items())}


def _files_to_publish(ctx: StepContext[SiteInputs]) -> dict[str, str]:
    files = dict(ctx.result(render_step))
    if ctx.status(search_step) == "succeeded":
        files["search.json"] = json.dumps(ctx.result(search_step), indent=1)
    return files


def plan_publish(ctx: StepContext[SiteInputs]) -> Plan:
    """Say which files publish would create or replace."""
    out = Path(ctx.inputs.out_dir)
    changes = []
    for name, content in _files_to_publish(ctx).items():
        target = out / name
        if not target.exists():
            changes.append(f"create {target}")
        elif target.read_text(encoding="utf-8") != content:
            changes.append(f"replace {target}")
    summary = f"would write {len(changes)} file(s) to {out}" if changes else "nothing to change"
    return Plan(summary=summary, changes=changes)


def publish(ctx: StepContext[SiteInputs]) -> Published:
    """Write the site into the output folder, remembering what it replaced."""
    out = Path(ctx.inputs.out_dir)
    created_dir = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    written, replaced = [], {}
    for name, content in _files_to_publish(ctx).items():
        target = out / name
        if target.exists():
            replaced[name] = target.read_text(encoding="utf-8")
        partial = target.with_name(f".{name}.partial")
        partial.write_text(content, encoding="utf-8")
        partial.replace(target)
        written.append(name)
    ctx.log(f"published {len(written)} files to {out}")
    return Published(out_dir=str(out), written=written, replaced=replaced, created_dir=created_dir)


def unpublish(ctx: StepContext[SiteInputs]) -> None:
    """Compensation: put the output folder back as it was before publish."""
    published: Published = ctx.result(publish_step)
    out = Path(published.out_dir)
    for name in published.written:
        target = out / name
        if name in published.replaced:
            target.write_text(published.replaced[name], encoding="utf-8")
        else:
            target.unlink(missing_ok=True)
    if published.created_dir and out.exists() and not any(out.iterdir()):
        out.rmdir()
    ctx.log(f"restored {out}")


def verify(ctx: StepContext[SiteInputs]) -> str:
    """Check the published site: every page is there and the home page links resolve."""
    published: Published = ctx.result(publish_step)
    out = Path(published.out_dir)
    missing = [name for name in published.written if not (out / name).is_file()]
    if missing:
        raise StepError(f"published files missing: {', '.join(missing)}")
    if ctx.inputs.break_verify:
        raise StepError("verification failed on purpose (break_verify=true)")
    return str(out / "index.html")


def _to_html(page: Page) -> str:
    body = []
    in_list = False
    for line in page.markdown.splitlines():
        text = html.escape(line)
        text = re.sub(r"\[([^\]]+)\]\(([^)]+)\.md\)", r'<a href="\2.html">\1</a>', text)
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        if line.startswith("- "):
            if not in_list:
                body.append("<ul>")
                in_list = True
            body.append(f"<li>{text[2:]}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.startswith("# "):
            body.append(f"<h1>{text[2:]}</h1>")
        elif line.strip():
            body.append(f"<p>{text}</p>")
    if in_list:
        body.append("</ul>")
    return (
        f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{html.escape(page.title)}"
        f"</title></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


collect_step = Step("collect", collect, squad="documentation")
render_step = Step(
    "render", render, squad="frontend", needs=[collect_step], retry=Retry(3, backoff=0.2)
)
links_step = Step("check_links", check_links, squad="qa", needs=[collect_step])
search_step = Step(
    "search_index",
    search_index,
    squad="backend",
    needs=[collect_step],
    when=lambda ctx: ctx.inputs.with_search_index,
)
publish_step = Step(
    "publish",
    publish,
    squad="devops",
    needs=[render_step, links_step, search_step],
    side_effects=True,
    plan=plan_publish,
    compensate=unpublish,
    timeout=30,
)
verify_step = Step("verify", verify, squad="qa", needs=[publish_step])

publish_site = Workflow(
    name="publish_site",
    description="Build the example Markdown site and publish it, with rollback.",
    inputs=SiteInputs,
    steps=[collect_step, render_step, links_step, search_step, publish_step, verify_step],
    outputs=lambda ctx: {
        "home": ctx.result(verify_step),
        "files": ctx.result(publish_step).written,
    },
)
