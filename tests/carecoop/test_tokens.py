from carecoop.tokens import token_hash, token_new


def test_each_token_is_new_and_long_enough_not_to_guess():
    tokens = {token_new() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 43 for t in tokens)  # 32 random bytes in URL-safe base64


def test_only_the_hash_is_kept_and_it_does_not_contain_the_token():
    token = token_new()
    assert token_hash(token) == token_hash(token)
    assert token not in token_hash(token)
    assert len(token_hash(token)) == 64
