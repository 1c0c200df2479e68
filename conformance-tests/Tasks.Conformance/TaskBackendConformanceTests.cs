using System.Text.Json;
using Tasks.Conformance.ConformanceTasks;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.Conformance;

/// <summary>
/// The conformance suite. A backend passes by subclassing this with its fixture:
/// <code>public sealed class MyBackendConformance(MyFixture f, ITestOutputHelper o) : TaskBackendConformanceTests&lt;MyFixture&gt;(f, o);</code>
/// Tests of a capability the backend does not declare assert the typed <see cref="TaskNotSupportedException"/> instead.
/// </summary>
/// <typeparam name="TFixture">The backend's fixture.</typeparam>
public abstract partial class TaskBackendConformanceTests<TFixture> : IClassFixture<TFixture>, IAsyncLifetime
    where TFixture : TaskBackendFixture
{
    private readonly List<TaskHost> _hosts = [];

    /// <summary>Creates the suite for one fixture.</summary>
    protected TaskBackendConformanceTests(TFixture fixture, ITestOutputHelper output)
    {
        Fixture = fixture;
        Output = output;
    }

    /// <summary>The fixture.</summary>
    protected TFixture Fixture { get; }

    /// <summary>Test output.</summary>
    protected ITestOutputHelper Output { get; }

    /// <summary>The fixture's probe.</summary>
    protected ConformanceProbe Probe => Fixture.Probe;

    /// <summary>The fixture's traits.</summary>
    protected BackendTraits Traits => Fixture.Traits;

    /// <summary>Clears the probe and the backend before each test.</summary>
    public virtual async Task InitializeAsync()
    {
        Probe.Clear();
        await Fixture.ResetAsync().ConfigureAwait(false);
    }

    /// <summary>Disposes the hosts the test created (stopping their workers).</summary>
    public virtual async Task DisposeAsync()
    {
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].DisposeAsync().ConfigureAwait(false);
        }

        _hosts.Clear();
    }

    /// <summary>A host disposed at the end of the test.</summary>
    protected TaskHost Host(string name)
    {
        var host = Fixture.CreateHost(name);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Whether the backend declares <paramref name="capability"/>.</summary>
    protected static bool Has(TaskHost host, TaskBackendCapabilities capability) => host.Backend.Capabilities.HasFlag(capability);

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    protected static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the task is finished and returns its result.</summary>
    protected async Task<TaskResult> FinishedAsync(TaskHost host, string id, TimeSpan? timeout = null)
    {
        try
        {
            return await host.Queue.WaitAsync(id, timeout ?? Traits.TaskTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message);
            throw;
        }
    }

    /// <summary>The same JSON for both values, so records with collections compare by content.</summary>
    protected static void AssertSameJson<T>(T expected, T actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));

    /// <summary>A payload with every shape the suite checks.</summary>
    protected static EchoPayload RichPayload(int blobBytes = 0) => new()
    {
        Text = "Zoë à Łódź — 東京 🚀 مرحبا \"quoted\" \\ back\nline\t\u0001",
        Number = long.MaxValue - 7,
        Amount = 12345678901234.5678901234m,
        When = new DateTimeOffset(2031, 2, 28, 23, 59, 58, 123, TimeSpan.FromHours(-5.5)),
        Nothing = null,
        Child = new EchoChild("child", ["a", "b"], new EchoChild("grand", [], null)),
        Children = [new EchoChild("x", [], null), new EchoChild("y", ["ÿ"], null)],
        Counts = new Dictionary<string, int> { ["one"] = 1, ["zero"] = 0, ["neg"] = -1 },
        Blob = new string('x', blobBytes),
    };
}
