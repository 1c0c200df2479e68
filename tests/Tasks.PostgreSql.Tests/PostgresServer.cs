namespace Tasks.PostgreSql.Tests;

/// <summary>The test PostgreSQL server; its absence fails the tests with the way to start it.</summary>
internal static class PostgresServer
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("TASKS_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("TASKS_TEST_POSTGRES is not set: these tests need the PostgreSQL test server. Run `scripts/test.sh`, or `scripts/servers.sh start` and `eval \"$(scripts/servers.sh env)\"`.");
}
