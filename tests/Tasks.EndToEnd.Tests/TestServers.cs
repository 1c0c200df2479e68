namespace Tasks.EndToEnd.Tests;

/// <summary>The test servers started by scripts/servers.sh; a missing one fails the test with the way to start it.</summary>
internal static class TestServers
{
    public static string Redis => Get("TASKS_TEST_REDIS");

    public static string Postgres => Get("TASKS_TEST_POSTGRES");

    public static string RabbitMq => Get("TASKS_TEST_RABBITMQ");

    private static string Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: this test needs the test servers. Run `scripts/test.sh`, or `scripts/servers.sh start` and `eval \"$(scripts/servers.sh env)\"`.");
}
