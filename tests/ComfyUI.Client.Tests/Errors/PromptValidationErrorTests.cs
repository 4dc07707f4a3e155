using System.Net;

namespace ComfyUI.Client.Tests.Errors;

/// <summary>A rejected prompt names what was wrong: per input in <c>NodeErrors</c>, or the whole node (an unknown class) in <c>Node</c>.</summary>
public sealed class PromptValidationErrorTests
{
    [Fact]
    public void An_unknown_node_class_names_the_node_from_extra_info_on_the_exception_and_in_its_message()
    {
        // The real server's answer: node_errors is empty, the node is only in error.extra_info.
        var ex = Assert.IsType<ComfyUIPromptValidationException>(ComfyErrorParser.CreateException(
            HttpStatusCode.BadRequest, "Bad Request", "POST", "/api/prompt", Fixture.Http("prompt_error_unknown_class.json"), isPromptSubmission: true));

        Assert.Equal("missing_node_type", ex.ErrorType);
        Assert.Empty(ex.NodeErrors);
        var node = Assert.IsType<ComfyErrorNode>(ex.Node);
        Assert.Equal("1", node.NodeId);
        Assert.Equal("DoesNotExist", node.ClassType);
        Assert.Equal("DoesNotExist", node.Title);
        Assert.Contains("node 1 (DoesNotExist)", ex.Message);
    }

    [Fact]
    public void A_node_without_a_class_type_is_named_with_its_title()
    {
        const string Body = """{"error": {"type": "missing_node_type", "message": "Node 'Loader' has no class_type.", "details": "Node ID '#7'", "extra_info": {"node_id": "7", "class_type": null, "node_title": "Loader"}}, "node_errors": {}}""";
        var ex = Assert.IsType<ComfyUIPromptValidationException>(ComfyErrorParser.CreateException(
            HttpStatusCode.BadRequest, "Bad Request", "POST", "/api/prompt", Body, isPromptSubmission: true));

        Assert.Equal("7", ex.Node!.NodeId);
        Assert.Null(ex.Node.ClassType);
        Assert.Contains("node 7 (no class_type, \"Loader\")", ex.Message);
    }

    [Fact]
    public void Input_errors_keep_their_per_node_errors_and_name_no_whole_node()
    {
        var ex = Assert.IsType<ComfyUIPromptValidationException>(ComfyErrorParser.CreateException(
            HttpStatusCode.BadRequest, "Bad Request", "POST", "/api/prompt", Fixture.Http("prompt_error_invalid_inputs.json"), isPromptSubmission: true));

        Assert.Null(ex.Node);
        Assert.NotEmpty(ex.NodeErrors);
    }
}
