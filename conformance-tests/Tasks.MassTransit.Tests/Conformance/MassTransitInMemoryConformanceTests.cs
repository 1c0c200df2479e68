using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.MassTransit.Tests;

public sealed class MassTransitInMemoryConformanceTests(MassTransitInMemoryFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<MassTransitInMemoryFixture>(fixture, output);
