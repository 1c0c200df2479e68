using Microsoft.Extensions.Configuration;
using Tasks.MassTransit.RabbitMq;

namespace Tasks.MassTransit.Tests;

/// <summary><c>Tasks:Backends:&lt;alias&gt;</c> with <c>Type = MassTransit</c>: binding, defaults and typed errors.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task Every_option_binds_from_configuration()
    {
        await using var host = Configured(new()
        {
            ["Transport"] = "RabbitMq",
            ["ConnectionString"] = "amqp://user:pw@rabbit.example:5673/tenant",
            ["Results"] = "PostgreSql",
            ["ResultsConnectionString"] = "Host=db.example;Database=app",
            ["ResultsSchema"] = "jobs",
            ["ResultsTable"] = "results",
            ["ResultsRetention"] = "2.00:00:00",
            ["QueuePrefix"] = "billing",
            ["ConnectTimeout"] = "00:00:03",
            ["SendTimeout"] = "00:00:07",
            ["Heartbeat"] = "00:00:10",
        });

        var backend = Assert.IsType<MassTransitTaskBackend>(host.Backend());
        var o = backend.Options;
        Assert.Equal(MassTransitTransport.RabbitMq, backend.Transport);
        Assert.Equal("billing", backend.QueuePrefix);
        Assert.Equal(MassTransitResultStore.PostgreSql, o.Results);
        Assert.Equal("Host=db.example;Database=app", o.ResultsConnectionString);
        Assert.Equal("jobs", o.ResultsSchema);
        Assert.Equal("results", o.ResultsTable);
        Assert.Equal(TimeSpan.FromDays(2), o.ResultsRetention);
        Assert.Equal(TimeSpan.FromSeconds(3), o.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), o.SendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Heartbeat);
        Assert.IsType<Tasks.PostgreSql.PostgreSqlTaskResultStore>(backend.Results);

        var settings = RabbitMqConnectionSettings.From(o, "main");
        Assert.Equal(("rabbit.example", 5673, "tenant", "user", "pw"), (settings.Host, settings.Port, settings.VirtualHost, settings.Username, settings.Password));
        Assert.DoesNotContain("pw", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_form_and_defaults()
    {
        await using var host = Configured(new()
        {
            ["Host"] = "rabbit.example:5699",
            ["Username"] = "app",
            ["Password"] = "pw",
            ["VirtualHost"] = "v1",
            ["ResultsConnectionString"] = "Host=db.example",
        });

        var backend = Assert.IsType<MassTransitTaskBackend>(host.Backend());
        Assert.Equal(MassTransitTransport.RabbitMq, backend.Transport);
        Assert.Equal("tasks", backend.QueuePrefix);
        Assert.Equal(MassTransitResultStore.PostgreSql, backend.Options.Results);
        var settings = RabbitMqConnectionSettings.From(backend.Options, "main");
        Assert.Equal(("rabbit.example", 5699, "v1", "app", "pw"), (settings.Host, settings.Port, settings.VirtualHost, settings.Username, settings.Password));
        Assert.Equal(TaskBackendCapabilities.Defer | TaskBackendCapabilities.Priority | TaskBackendCapabilities.Results | TaskBackendCapabilities.Cancel | TaskBackendCapabilities.BulkEnqueue | TaskBackendCapabilities.Background | TaskBackendCapabilities.ListPending, backend.Capabilities);
    }

    [Theory]
    [InlineData("Transport=Kafka", "Transport")]
    [InlineData("ConnectionString=", "ConnectionString")]
    [InlineData("ConnectionString=http://rabbit.example/", "AMQP URI")]
    [InlineData("Results=InMemory", "Results=InMemory")]
    [InlineData("ResultsConnectionString=", "ResultsConnectionString")]
    [InlineData("QueuePrefix=no spaces", "QueuePrefix")]
    [InlineData("SendTimeout=00:00:00", "SendTimeout")]
    [InlineData("Host=rabbit.example:notaport|ConnectionString=", "port")]
    public async Task Bad_configuration_is_a_typed_error_naming_the_setting(string overrides, string expected)
    {
        var values = new Dictionary<string, string?>
        {
            ["ConnectionString"] = "amqp://guest:guest@127.0.0.1:5672/",
            ["ResultsConnectionString"] = "Host=db.example",
        };
        foreach (var pair in overrides.Split('|'))
        {
            var (key, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            values[key] = value;
        }

        await using var host = Configured(values);
        var ex = Assert.ThrowsAny<TaskConfigurationException>(() => host.Backend());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("main", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_memory_transport_from_configuration_runs_tasks()
    {
        await using var host = Configured(new() { ["Transport"] = "InMemory" });
        var backend = Assert.IsType<MassTransitTaskBackend>(host.Backend());
        Assert.IsType<Tasks.Backends.InMemoryTaskResultStore>(backend.Results);
        await host.StartWorkerAsync();

        var enqueued = await host.Queue.EnqueueAsync(TestHandler.Name, new TestArgs("configured"));
        var result = await host.Queue.WaitAsync(enqueued.Id, TimeSpan.FromSeconds(10));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("configured", result.GetReturnValue<string>());
    }

    [Fact]
    public async Task RabbitMq_with_postgresql_results_from_configuration_runs_tasks()
    {
        var prefix = $"tcf-mt-{Guid.NewGuid():N}"[..16];
        var schema = $"mtc_{Guid.NewGuid():N}"[..15];
        try
        {
            await TestServers.CheckPostgresAsync();
            await using var host = Configured(new()
            {
                ["ConnectionString"] = TestServers.RabbitMq,
                ["ResultsConnectionString"] = TestServers.Postgres,
                ["ResultsSchema"] = schema,
                ["QueuePrefix"] = prefix,
            });
            await host.StartWorkerAsync();

            var enqueued = await host.Queue.With(runAfter: DateTimeOffset.UtcNow.AddMilliseconds(300), priority: 20).EnqueueAsync(TestHandler.Name, new TestArgs("from appsettings"));
            var result = await host.Queue.WaitAsync(enqueued.Id, TimeSpan.FromSeconds(15));

            Assert.Equal(TaskResultStatus.Succeeded, result.Status);
            Assert.Equal("from appsettings", result.GetReturnValue<string>());
            Assert.Equal(20, result.Priority);
        }
        finally
        {
            await RabbitMqTestEntities.DeleteAsync(prefix, ["default"]);
            await TestServers.DropSchemaAsync(schema);
        }
    }

    private static AdapterHost Configured(Dictionary<string, string?> backend)
    {
        var values = new Dictionary<string, string?> { ["Tasks:Backends:main:Type"] = "MassTransit", ["Tasks:DefaultBackend"] = "main" };
        foreach (var (key, value) in backend)
        {
            values[$"Tasks:Backends:main:{key}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return AdapterHost.Create(tasks => tasks.AddMassTransitBackendType(), configuration);
    }
}
