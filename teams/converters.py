"""A path segment for a username as any auth backend can make it: Django's own form allows
only letters, digits and @.+-_, but `create_user` and single sign-on accept anything, "/"
and spaces included. Reversing quotes what needs quoting; a client may send "/" as is or as
%2F (the server decodes it either way), so `members/<username>/` keeps working."""

from __future__ import annotations

from django.urls import register_converter


class UsernameConverter:
    # Anything but control characters; "/" too, so the rest of the path must be fixed text.
    regex = r"[^\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UsernameConverter, "username")
