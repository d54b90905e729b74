"""The tracking link is rate-limited per client address, like the self-service pages."""

from django.urls import reverse


def test_tracking_link_answers_429_once_a_client_is_over_the_limit(client, make_complaint, settings):
    settings.TRACKING_RATE_LIMIT_PER_MINUTE = 3
    complaint, secret = make_complaint()
    guesses = [
        client.get(reverse("complaints:track", args=[complaint.reference, f"guess{n}"]), REMOTE_ADDR="10.4.0.1")
        for n in range(3)
    ]
    assert [r.status_code for r in guesses] == [404, 404, 404]
    right = client.get(reverse("complaints:track", args=[complaint.reference, secret]), REMOTE_ADDR="10.4.0.1")
    assert right.status_code == 429 and right["Retry-After"] == "60"
    assert "访问过于频繁" in right.content.decode() and "no-store" in right["Cache-Control"]
    other = client.get(reverse("complaints:track", args=[complaint.reference, secret]), REMOTE_ADDR="10.4.0.2")
    assert other.status_code == 200  # another client has its own count
