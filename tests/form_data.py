"""The values a browser would submit from a page's form: for posting back an admin form with its inline
formsets (management forms included) as it was shown, then changing a few fields."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = form_id is None
        self.values: dict[str, str] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.form_id is not None:
            self.in_form = attributes.get("id") == self.form_id
        if not self.in_form or ("name" not in attributes and tag != "option"):
            return
        name = attributes.get("name", "")
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.values[name] = attributes.get("value") or "on"
            elif kind not in {"submit", "button", "file", "image"}:
                self.values[name] = attributes.get("value", "")
        elif tag == "textarea":
            self.textarea = name
            self.values[name] = ""
        elif tag == "select":
            self.select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attributes:
            self.values[self.select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.form_id is not None:
            self.in_form = False

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def form_data(html: str, form_id: str | None = None) -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(html)
    # A textarea's first newline belongs to the markup, not to the value.
    return {name: value.removeprefix("\n") for name, value in parser.values.items()}
