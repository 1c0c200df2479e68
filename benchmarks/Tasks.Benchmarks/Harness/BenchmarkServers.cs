namespace Tasks.Benchmarks.Harness;

/// <summary>The server addresses from <c>TASKS_TEST_REDIS</c> / <c>TASKS_TEST_POSTGRES</c> / <c>TASKS_TEST_RABBITMQ</c>, exactly as the tests read them.</summary>
public sealed record BenchmarkServers(string? Redis, string? Postgres, string? RabbitMq)
{
    /// <summary>How to get the servers, quoted in every error about a missing one.</summary>
    public const string StartHint = "Start the servers with `scripts/servers.sh start` and `eval \"$(scripts/servers.sh env)\"`, or run the harness through `scripts/bench.sh`, which does both.";

    /// <summary>Reads the variables of this process.</summary>
    public static BenchmarkServers FromEnvironment() => new(
        Value("TASKS_TEST_REDIS"),
        Value("TASKS_TEST_POSTGRES"),
        Value("TASKS_TEST_RABBITMQ"));

    /// <summary>The variable that holds <paramref name="server"/>'s address.</summary>
    public static string VariableOf(BenchmarkServer server) => server switch
    {
        BenchmarkServer.Redis => "TASKS_TEST_REDIS",
        BenchmarkServer.Postgres => "TASKS_TEST_POSTGRES",
        BenchmarkServer.RabbitMq => "TASKS_TEST_RABBITMQ",
        _ => throw new ArgumentOutOfRangeException(nameof(server)),
    };

    /// <summary>The address of <paramref name="server"/>.</summary>
    /// <exception cref="BenchmarkSetupException">Its variable is not set; the message says how to start the servers.</exception>
    public string Require(BenchmarkServer server) => (server switch
    {
        BenchmarkServer.Redis => Redis,
        BenchmarkServer.Postgres => Postgres,
        BenchmarkServer.RabbitMq => RabbitMq,
        _ => null,
    }) ?? throw new BenchmarkSetupException($"{server} is needed but {VariableOf(server)} is not set. {StartHint}");

    /// <summary>The address of Redis (<c>TASKS_TEST_REDIS</c>).</summary>
    public string RequireRedis() => Require(BenchmarkServer.Redis);

    /// <summary>The PostgreSQL connection string (<c>TASKS_TEST_POSTGRES</c>).</summary>
    public string RequirePostgres() => Require(BenchmarkServer.Postgres);

    /// <summary>The RabbitMQ URI (<c>TASKS_TEST_RABBITMQ</c>).</summary>
    public string RequireRabbitMq() => Require(BenchmarkServer.RabbitMq);

    private static string? Value(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
