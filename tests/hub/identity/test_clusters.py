"""Clusters from pairwise links: no chaining of strangers, stable results."""

from __future__ import annotations

from hub.identity.clusters import build_clusters

MATCH, REVIEW = 0.95, 0.6


def test_transitive_links_between_people_who_support_each_other_make_one_cluster() -> None:
    matches = {(0, 1): 0.99, (1, 2): 0.98}
    result = build_clusters(matches, {}, lambda i, j: 0.97, match_threshold=MATCH, review_threshold=REVIEW)
    assert [c.members for c in result.clusters] == [[0, 1, 2]]
    assert result.review == {}


def test_a_bridge_between_two_strangers_is_split_and_sent_to_review() -> None:
    # 0 and 2 are each like 1, but not like each other (e.g. two different national ids).
    matches = {(0, 1): 0.99, (1, 2): 0.97}
    result = build_clusters(matches, {}, lambda i, j: 0.0, match_threshold=MATCH, review_threshold=REVIEW)
    assert [c.members for c in result.clusters] == [[0, 1]]  # the stronger link wins
    assert result.review == {(1, 2): 0.97}
    assert result.split == 1


def test_groups_join_only_when_they_agree_on_average() -> None:
    matches = {(0, 1): 0.99, (2, 3): 0.99, (1, 2): 0.96}
    weak = {(0, 2): 0.7, (0, 3): 0.7, (1, 3): 0.7}
    result = build_clusters(matches, weak, lambda i, j: 0.0, match_threshold=MATCH, review_threshold=REVIEW)
    assert sorted(c.members for c in result.clusters) == [[0, 1], [2, 3]]
    assert (1, 2) in result.review


def test_possible_pairs_between_clusters_go_to_review_and_inside_them_do_not() -> None:
    result = build_clusters({(0, 1): 0.99}, {(0, 1): 0.7, (1, 2): 0.8}, lambda i, j: 0.5,
                            match_threshold=MATCH, review_threshold=REVIEW)
    assert [c.members for c in result.clusters] == [[0, 1]]
    assert result.review == {(1, 2): 0.8}


def test_cluster_size_is_bounded() -> None:
    matches = {(i, i + 1): 0.99 for i in range(9)}
    result = build_clusters(matches, {}, lambda i, j: 0.99, match_threshold=MATCH, review_threshold=REVIEW,
                            max_cluster_size=4)
    assert max(len(c.members) for c in result.clusters) <= 4
    assert result.split > 0


def test_each_member_reports_its_strongest_link() -> None:
    result = build_clusters({(0, 1): 0.99, (1, 2): 0.96}, {}, lambda i, j: 0.96,
                            match_threshold=MATCH, review_threshold=REVIEW)
    cluster = result.clusters[0]
    assert cluster.support == {0: 0.99, 1: 0.99, 2: 0.96}
    assert cluster.score == 0.96
