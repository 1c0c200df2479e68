using Tasks.Conformance;
using Xunit.Abstractions;

namespace Tasks.MassTransit.Tests;

public sealed class MassTransitRabbitMqConformanceTests(MassTransitRabbitMqFixture fixture, ITestOutputHelper output)
    : TaskBackendConformanceTests<MassTransitRabbitMqFixture>(fixture, output);
