using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tasks.Backends;
using Tasks.Core.Tests.Support;

namespace Tasks.Core.Tests;

/// <summary>The backend provider: backends from code and from <c>Tasks:Backends</c> configuration, and the default alias.</summary>
public sealed class TaskBackendProviderTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    /// <summary>A host whose <see cref="IConfiguration"/> is registered like a real host's.</summary>
    private static TestHost Host(IConfiguration config, Action<TasksBuilder>? configure = null) => TestHost.Create(
        t =>
        {
            t.AddTask<Work, WorkHandler>("work");
            configure?.Invoke(t);
        },
        s => s.AddSingleton(config));

    [Theory]
    [InlineData("InMemory", typeof(InMemoryTaskBackend))]
    [InlineData("Immediate", typeof(ImmediateTaskBackend))]
    [InlineData("Recording", typeof(RecordingTaskBackend))]
    [InlineData("recording", typeof(RecordingTaskBackend))] // type names are case-insensitive
    public async Task Configuration_selects_the_backend_type_with_no_code_change(string type, Type expected)
    {
        await using var host = Host(Config(("Tasks:DefaultBackend", "main"), ("Tasks:Backends:main:Type", type), ("Tasks:Backends:spare:Type", "Recording")));

        var backend = host.Backends.Get();

        Assert.IsType(expected, backend);
        Assert.Equal("main", backend.Alias);
        Assert.Equal("main", host.Backends.DefaultAlias);
        Assert.Equal(["main", "spare"], host.Backends.Aliases.Order());
        var result = await host.Queue.EnqueueAsync(new Work("x"));
        Assert.Equal("main", result.Backend);
    }

    [Fact]
    public async Task A_configured_Immediate_backend_runs_the_task_at_enqueue()
    {
        await using var host = Host(Config(("Tasks:Backends:only:Type", "Immediate")));

        var result = await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Equal(TaskResultStatus.Succeeded, result.Status);
        Assert.Equal("only", host.Backends.DefaultAlias); // a single backend is the default
    }

    [Fact]
    public async Task Configuration_replaces_a_backend_configured_in_code_under_the_same_alias()
    {
        await using var host = Host(Config(("Tasks:Backends:main:Type", "Recording")), t => t.AddImmediateBackend("main"));

        var backend = host.Backend<RecordingTaskBackend>("main");
        await host.Queue.EnqueueAsync(new Work("x"));

        Assert.Single(backend.Enqueued);
        Assert.Empty(host.Probe.Calls);
        Assert.Equal(["main"], host.Backends.Aliases);
    }

    [Fact]
    public async Task Code_and_configuration_backends_live_side_by_side()
    {
        await using var host = Host(Config(("Tasks:Backends:configured:Type", "Recording")), t =>
        {
            t.AddImmediateBackend("coded");
            t.UseDefaultBackend("coded");
        });

        Assert.Equal(["coded", "configured"], host.Backends.Aliases.Order());
        Assert.IsType<ImmediateTaskBackend>(host.Backends.Get());
        Assert.IsType<RecordingTaskBackend>(host.Backends.Get("configured"));
    }

    [Fact]
    public async Task Configured_default_wins_over_UseDefaultBackend()
    {
        await using var host = Host(Config(("Tasks:DefaultBackend", "b")), t =>
        {
            t.AddRecordingBackend("a");
            t.AddRecordingBackend("b");
            t.UseDefaultBackend("a");
        });

        Assert.Equal("b", host.Backends.DefaultAlias);
    }

    [Fact]
    public async Task An_unknown_Type_is_a_configuration_error_listing_the_known_types()
    {
        await using var host = Host(Config(("Tasks:Backends:main:Type", "Kafka")));

        var ex = Assert.Throws<TaskConfigurationException>(() => host.Backends);

        Assert.Contains("Backend 'main' in configuration has Type 'Kafka', which no package registered", ex.Message);
        Assert.Contains("Known types: InMemory, Immediate, Recording", ex.Message);
        Assert.Throws<TaskConfigurationException>(() => host.Queue);
    }

    [Fact]
    public async Task A_type_registered_by_a_package_is_listed_and_usable()
    {
        await using var host = Host(Config(("Tasks:Backends:main:Type", "Listed"), ("Tasks:Backends:main:Queues", "a,b")), t =>
            t.AddBackendType("Listed", (_, alias, section) => new ListedQueuesBackend(alias, ConfigurationValues.GetList(section, "Queues").ToArray())));

        var backend = host.Backend<ListedQueuesBackend>("main");

        Assert.Equal(["a", "b"], backend.Queues!);
    }

    [Fact]
    public async Task A_backend_without_a_Type_is_a_configuration_error()
    {
        await using var host = Host(Config(("Tasks:Backends:main:Something", "x")));

        var ex = Assert.Throws<TaskConfigurationException>(() => host.Backends);

        Assert.Contains("Backend 'main' in configuration (Tasks:Backends:main) has no Type", ex.Message);
        Assert.Contains("Known types:", ex.Message);
    }

    [Fact]
    public async Task With_nothing_configured_the_default_is_an_InMemory_backend_named_default()
    {
        await using var host = TestHost.Create(t => t.AddTask<Work, WorkHandler>("work"));

        Assert.Equal("default", host.Backends.DefaultAlias);
        Assert.Equal(["default"], host.Backends.Aliases);
        Assert.Equal("default", host.Backend<InMemoryTaskBackend>().Alias);
        Assert.Equal("default", (await host.Queue.EnqueueAsync(new Work("x"))).Backend);
    }

    [Fact]
    public async Task An_empty_Tasks_section_also_gives_the_InMemory_default()
    {
        await using var host = Host(Config(("Other:Key", "x")));

        Assert.IsType<InMemoryTaskBackend>(host.Backends.Get("default"));
    }

    [Fact]
    public async Task UseConfiguration_reads_the_given_section_instead_of_the_hosts()
    {
        var hostConfig = Config(("Tasks:Backends:fromHost:Type", "Immediate"));
        var own = Config(("Mine:DefaultBackend", "fromSection"), ("Mine:Backends:fromSection:Type", "Recording")).GetSection("Mine");
        await using var host = Host(hostConfig, t => t.UseConfiguration(own));

        Assert.Equal(["fromSection"], host.Backends.Aliases);
        Assert.IsType<RecordingTaskBackend>(host.Backends.Get());
    }

    [Fact]
    public async Task Backends_are_created_once_per_alias_and_lazily()
    {
        var created = 0;
        await using var host = TestHost.Create(t => t.AddBackend("counted", (_, alias) =>
        {
            Interlocked.Increment(ref created);
            return new RecordingTaskBackend(alias);
        }));

        Assert.Equal(0, created);
        Assert.Same(host.Backends.Get("counted"), host.Backends.Get());
        Assert.Equal(1, created);
    }

    [Fact]
    public async Task The_factory_receives_the_alias_and_the_services()
    {
        IServiceProvider? seen = null;
        await using var host = TestHost.Create(t => t.AddBackend("named", (sp, alias) =>
        {
            seen = sp;
            return new RecordingTaskBackend(alias);
        }));

        Assert.Equal("named", host.Backends.Get("named").Alias);
        Assert.NotNull(seen!.GetService<Probe>());
    }

    [Fact]
    public async Task Several_code_backends_and_no_default_is_a_configuration_error()
    {
        await using var host = TestHost.Create(t =>
        {
            t.AddRecordingBackend("a");
            t.AddRecordingBackend("b");
        });

        // Refused when the provider is built, so a queue never searches a default that does not exist.
        var ex = Assert.Throws<TaskConfigurationException>(() => host.Backends);
        Assert.Contains("'default'", ex.Message);
        Assert.Contains("'a', 'b'", ex.Message);
        Assert.Contains("Tasks:DefaultBackend", ex.Message);
    }
}
