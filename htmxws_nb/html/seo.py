"""JSON-LD structured data for search engines (`fasthtml.xtend`'s `LdJson`, `LdOrg`, ...).

Each returns the data as a dict, or with `script=True` a `<script type="application/ld+json">`.
"""

from __future__ import annotations

import json
from typing import Any

from .ft import FT
from .tags import Script

__all__ = ["LdContactPoint", "LdCourse", "LdCourseInstance", "LdJson", "LdOrg", "LdWebsite"]


def LdJson(typ: str, data: dict[str, Any], script: bool = False, extra: dict[str, Any] | None = None,
           **attrs: Any) -> dict[str, Any] | FT:
    """Schema.org data of type `typ`."""
    content = {"@type": typ, "@context": "https://schema.org"} | data | (extra or {})
    return Script(json.dumps(content, indent=1), type="application/ld+json", **attrs) if script else content


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v}


def LdContactPoint(contact_type: str, email: str | None = None, phone: str | None = None, script: bool = False,
                   **extra: Any) -> dict[str, Any] | FT:
    return LdJson("ContactPoint", {"contactType": contact_type, **_given(email=email, telephone=phone)},
                  extra=extra, script=script)


def LdOrg(name: str, url: str | None = None, logo: str | None = None, alt_name: str | None = None,
          same_as: list[str] | None = None, contact_points: list[Any] | None = None, script: bool = False,
          **extra: Any) -> dict[str, Any] | FT:
    data = {"name": name, **_given(alternateName=alt_name, url=url, logo=logo, sameAs=same_as,
                                   contactPoint=contact_points)}
    return LdJson("Organization", data, extra=extra, script=script)


def LdWebsite(name: str, url: str, script: bool = False, **extra: Any) -> dict[str, Any] | FT:
    return LdJson("WebSite", {"name": name, "url": url}, extra=extra, script=script)


def LdCourseInstance(course_mode: str = "Online", start_date: str | None = None, end_date: str | None = None,
                     location: dict[str, Any] | None = None, instructor: dict[str, Any] | None = None,
                     script: bool = False, **extra: Any) -> dict[str, Any] | FT:
    data = {"courseMode": course_mode, **_given(startDate=start_date, endDate=end_date, location=location,
                                                instructor=instructor)}
    return LdJson("CourseInstance", data, extra=extra, script=script)


def LdCourse(name: str, description: str, provider: dict[str, Any], course_instance: dict[str, Any] | None = None,
             script: bool = False, **extra: Any) -> dict[str, Any] | FT:
    data = {"name": name, "description": description, "provider": provider,
            **_given(hasCourseInstance=course_instance)}
    return LdJson("Course", data, extra=extra, script=script)
