"""Checking the pictures uploaded for a coordination group."""

from django.core.files.uploadedfile import UploadedFile

from territories.services._common import TerritoryError
from wikispiral.uploads import UploadProblem, image_check

PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_MAX_PIXELS = 40_000_000
# Pillow's name of the format, read from the file's content → the extension we store it under.
# SVG is left out on purpose (it can carry script), and so is everything Pillow reads but
# browsers do not show everywhere (TIFF, BMP…).
PICTURE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


def picture_check(upload: UploadedFile) -> str:
    """The extension to store an uploaded picture under; raise TerritoryError (field "picture")
    unless it is a JPEG, PNG, WebP or GIF image of at most 5 MB and 40 megapixels.

    The format is read from the content by Pillow, never taken from the name or the browser.
    """
    try:
        image_format = image_check(
            upload,
            size=upload.size,
            max_bytes=PICTURE_MAX_BYTES,
            max_pixels=PICTURE_MAX_PIXELS,
            field="picture",
        )
    except UploadProblem as problem:
        raise TerritoryError(problem.message, "picture") from problem
    return PICTURE_FORMATS[image_format]
