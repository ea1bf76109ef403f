"""Picture uploads: format, size and pixel count read from the header, before any pixel is
decoded."""

import warnings
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from wikispiral.uploads.base import MEGABYTE, UploadProblem

# Pictures. Pillow refuses to open an image of more than twice MAX_IMAGE_PIXELS and warns above
# it; we set it for the whole process (WeasyPrint decodes attached images through Pillow too)
# and turn the warning into a refusal where we check uploads.
MAX_IMAGE_PIXELS = 64_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# What every browser shows. SVG is left out on purpose (it can carry script), and so is
# everything Pillow reads but browsers do not show everywhere (TIFF, BMP…).
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def image_check(
    upload: IO[bytes],
    *,
    size: int | None,
    max_bytes: int,
    max_pixels: int,
    field: str = "file",
    verify: bool = True,
) -> str:
    """Pillow's name of the image's format (read from its content, never from its name);
    UploadProblem (on field) unless it is a JPEG, PNG, WebP or GIF image of at most max_bytes
    and max_pixels (and, with verify, whose data is whole: checksums, no truncation).

    Only the header is read: the size in pixels is known before any pixel is decoded, and an
    image past Pillow's decompression-bomb limit is refused without being opened further.
    """
    if size is not None and size > max_bytes:
        raise UploadProblem(
            _("The picture is too large: at most %(max)d MB.") % {"max": max_bytes // MEGABYTE},
            field,
        )
    refused = UploadProblem(
        _("This file is not a picture we accept: send a JPEG, PNG, WebP or GIF image."), field
    )
    too_large = UploadProblem(
        _("The picture has too many pixels: at most %(max)d megapixels.")
        % {"max": max_pixels // 1_000_000},
        field,
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only these decoders are tried: a file of another kind is never parsed.
            with Image.open(upload, formats=IMAGE_FORMATS) as image:
                image_format = image.format
                width, height = image.size
                if width * height > max_pixels:
                    raise too_large
                if verify:
                    image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_large from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise refused from error
    finally:
        upload.seek(0)
    if image_format not in IMAGE_FORMATS:
        raise refused
    return image_format
