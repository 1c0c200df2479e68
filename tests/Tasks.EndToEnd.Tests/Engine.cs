namespace Tasks.EndToEnd.Tests;

/// <summary>A real engine as configuration alone: the keys under <c>Tasks:Backends:&lt;alias&gt;</c>, isolated by a run id.</summary>
public sealed record Engine(string Name)
{
    public static readonly string[] All = ["InMemory", "Redis", "Hangfire", "Quartz", "MassTransit"];

    public static readonly string[] Servers = ["Redis", "Hangfire", "Quartz", "MassTransit"];

    /// <summary>The backend's settings; <paramref name="runId"/> keeps keys, schemas and queues of this run apart.</summary>
    public IReadOnlyDictionary<string, string> Settings(string runId) => Name switch
    {
        "InMemory" => new Dictionary<string, string> { ["Type"] = "InMemory" },
        "Redis" => new Dictionary<string, string>
        {
            ["Type"] = "Redis",
            ["ConnectionString"] = TestServers.Redis,
            ["Prefix"] = $"e2e-{runId}",
        },
        "Hangfire" => new Dictionary<string, string>
        {
            ["Type"] = "Hangfire",
            ["Storage"] = "PostgreSql",
            ["ConnectionString"] = TestServers.Postgres,
            ["Schema"] = $"hf_{runId}",
            ["QueuePollInterval"] = "00:00:00.200",
            ["SchedulePollingInterval"] = "00:00:01",
        },
        "Quartz" => new Dictionary<string, string>
        {
            ["Type"] = "Quartz",
            ["JobStore"] = "AdoNet",
            ["ConnectionString"] = TestServers.Postgres,
            ["TablePrefix"] = $"q{runId}_",
            ["SchedulerName"] = $"e2e-{runId}",
            ["ResultsSchema"] = $"qr_{runId}",
            ["CheckinInterval"] = "00:00:02",
            ["PollInterval"] = "00:00:01",
        },
        "MassTransit" => new Dictionary<string, string>
        {
            ["Type"] = "MassTransit",
            ["Transport"] = "RabbitMq",
            ["ConnectionString"] = TestServers.RabbitMq,
            ["QueuePrefix"] = $"e2e-{runId}",
            ["Results"] = "PostgreSql",
            ["ResultsConnectionString"] = TestServers.Postgres,
            ["ResultsSchema"] = $"mt_{runId}",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(Name), Name, "unknown engine"),
    };

    /// <summary>The settings as configuration keys of backend <paramref name="alias"/>.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ConfigurationFor(string alias, string runId) =>
        Settings(runId).Select(kv => new KeyValuePair<string, string?>($"Tasks:Backends:{alias}:{kv.Key}", kv.Value));

    public override string ToString() => Name;
}
