"""US states and the Census Bureau regions they belong to (the region is derived, never entered)."""

from django.db import models


class Region(models.TextChoices):
    NORTHEAST = "northeast", "Northeast"
    MIDWEST = "midwest", "Midwest"
    SOUTH = "south", "South"
    WEST = "west", "West"


# (code, name, census region): the 50 states and DC, as the Census Bureau groups them.
_STATES = [
    ("AL", "Alabama", Region.SOUTH),
    ("AK", "Alaska", Region.WEST),
    ("AZ", "Arizona", Region.WEST),
    ("AR", "Arkansas", Region.SOUTH),
    ("CA", "California", Region.WEST),
    ("CO", "Colorado", Region.WEST),
    ("CT", "Connecticut", Region.NORTHEAST),
    ("DE", "Delaware", Region.SOUTH),
    ("DC", "District of Columbia", Region.SOUTH),
    ("FL", "Florida", Region.SOUTH),
    ("GA", "Georgia", Region.SOUTH),
    ("HI", "Hawaii", Region.WEST),
    ("ID", "Idaho", Region.WEST),
    ("IL", "Illinois", Region.MIDWEST),
    ("IN", "Indiana", Region.MIDWEST),
    ("IA", "Iowa", Region.MIDWEST),
    ("KS", "Kansas", Region.MIDWEST),
    ("KY", "Kentucky", Region.SOUTH),
    ("LA", "Louisiana", Region.SOUTH),
    ("ME", "Maine", Region.NORTHEAST),
    ("MD", "Maryland", Region.SOUTH),
    ("MA", "Massachusetts", Region.NORTHEAST),
    ("MI", "Michigan", Region.MIDWEST),
    ("MN", "Minnesota", Region.MIDWEST),
    ("MS", "Mississippi", Region.SOUTH),
    ("MO", "Missouri", Region.MIDWEST),
    ("MT", "Montana", Region.WEST),
    ("NE", "Nebraska", Region.MIDWEST),
    ("NV", "Nevada", Region.WEST),
    ("NH", "New Hampshire", Region.NORTHEAST),
    ("NJ", "New Jersey", Region.NORTHEAST),
    ("NM", "New Mexico", Region.WEST),
    ("NY", "New York", Region.NORTHEAST),
    ("NC", "North Carolina", Region.SOUTH),
    ("ND", "North Dakota", Region.MIDWEST),
    ("OH", "Ohio", Region.MIDWEST),
    ("OK", "Oklahoma", Region.SOUTH),
    ("OR", "Oregon", Region.WEST),
    ("PA", "Pennsylvania", Region.NORTHEAST),
    ("RI", "Rhode Island", Region.NORTHEAST),
    ("SC", "South Carolina", Region.SOUTH),
    ("SD", "South Dakota", Region.MIDWEST),
    ("TN", "Tennessee", Region.SOUTH),
    ("TX", "Texas", Region.SOUTH),
    ("UT", "Utah", Region.WEST),
    ("VT", "Vermont", Region.NORTHEAST),
    ("VA", "Virginia", Region.SOUTH),
    ("WA", "Washington", Region.WEST),
    ("WV", "West Virginia", Region.SOUTH),
    ("WI", "Wisconsin", Region.MIDWEST),
    ("WY", "Wyoming", Region.WEST),
]

STATE_CHOICES = [(code, name) for code, name, _ in _STATES]
STATE_REGION = {code: region for code, _, region in _STATES}
