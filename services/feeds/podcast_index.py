"""feedgen's extension for the Podcasting 2.0 tags (feedgen has no support of its own): imported by the feeds
when they are written, with feedgen, never by a page."""
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

from services.feeds.rss import ITUNES_NAMESPACE, PODCAST_NAMESPACE


class PodcastIndexFeed(BaseExtension):
    """Channel tags of the Podcasting 2.0 namespace: podcast:guid, podcast:locked, podcast:medium."""

    # feedgen has no Podcasting 2.0 support, so these few tags are added through its extension hook.
    def __init__(self):
        self.guid: str | None = None

    def extend_ns(self):
        return {"podcast": PODCAST_NAMESPACE}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        if self.guid:
            xml_elem(f"{{{PODCAST_NAMESPACE}}}guid", channel).text = self.guid
        # Other hosts may not import this feed as their own show.
        xml_elem(f"{{{PODCAST_NAMESPACE}}}locked", channel).text = "yes"
        xml_elem(f"{{{PODCAST_NAMESPACE}}}medium", channel).text = "podcast"
        # feedgen only writes the old yes/no/clean values; Apple now asks for true or false.
        xml_elem(f"{{{ITUNES_NAMESPACE}}}explicit", channel).text = "false"
        return rss_feed


class PodcastIndexEntry(BaseEntryExtension):
    """Item tags of the Podcasting 2.0 namespace: the article page as the episode's transcript."""

    def __init__(self):
        self.transcript_url: str | None = None

    def extend_ns(self):
        return {"podcast": PODCAST_NAMESPACE}

    def extend_rss(self, entry):
        if self.transcript_url:
            transcript = xml_elem(f"{{{PODCAST_NAMESPACE}}}transcript", entry)
            transcript.set("url", self.transcript_url)
            transcript.set("type", "text/html")
            transcript.set("language", "vi")
        return entry
