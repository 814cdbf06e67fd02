from tests.factories import make_citizen


async def test_register_citizen_is_idempotent(db):
    first = await make_citizen("0901234567")
    again = await make_citizen("+84 90 123 4567")
    assert first.id == again.id
    assert first.phone == "+84901234567"


async def test_app_is_ready_with_its_database(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
