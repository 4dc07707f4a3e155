using System.Text.Json;
using ComfyUI.Client.Validation.Python;

namespace ComfyUI.Client.Validation.Engine;

/// <summary>
/// The server fails with HTTP 500 instead of answering (an exception outside the validation's own error handling).
/// </summary>
internal sealed class ServerFailure(PyException cause) : Exception(cause.Message, cause)
{
    public PyException Cause { get; } = cause;
}

/// <summary>
/// What <c>POST /prompt</c> does to a prompt before validating it (<c>NodeReplaceManager.apply_replacements</c>): a node whose class
/// the server does not have, but which has a registered replacement by a class it has, becomes that class, its inputs mapped
/// (<c>old_id</c> or <c>set_value</c>), links from other nodes to its outputs renumbered. It also reads every node's inputs, which
/// is where a malformed prompt (a node that is not an object, inputs that are not an object) makes the server fail.
/// </summary>
internal static class NodeReplacer
{
    public static void Apply(PyDict prompt, IReadOnlyDictionary<string, IReadOnlyList<NodeReplacement>> replacements, Func<string, bool> hasClass)
    {
        var connections = new Dictionary<string, List<(string NodeId, string InputId, PyValue OldSlot)>>(StringComparer.Ordinal);
        var needReplacement = new List<string>();
        foreach (var (nodeId, node) in prompt.Items)
        {
            if (!Has(node, "class_type") || !Has(node, "inputs"))
            {
                continue;
            }

            var classType = Item(node, "class_type");
            if (classType is PyList or PyDict)
            {
                throw new ServerFailure(PyException.TypeError($"unhashable type: '{classType.TypeName}'"));
            }

            if (classType is PyStr name && !hasClass(name.Value) && replacements.ContainsKey(name.Value) && !needReplacement.Contains(nodeId))
            {
                needReplacement.Add(nodeId);
            }

            if (Item(node, "inputs") is not PyDict inputs)
            {
                throw new ServerFailure(PyException.AttributeError($"'{Item(node, "inputs").TypeName}' object has no attribute 'items'"));
            }

            foreach (var (inputId, value) in inputs.Items)
            {
                if (value is PyList { Count: 2 } link && link[0] is PyStr source && link[1] is PyNumber)
                {
                    if (!connections.TryGetValue(source.Value, out var list))
                    {
                        connections[source.Value] = list = [];
                    }

                    list.Add((nodeId, inputId, link[1]));
                }
            }
        }

        foreach (var nodeId in needReplacement)
        {
            var node = (PyDict)prompt[nodeId];
            var replacement = replacements[((PyStr)node["class_type"]).Value][0];
            if (!hasClass(replacement.NewNodeId))
            {
                continue;
            }

            var replaced = node.Copy();
            replaced["inputs"] = new PyDict();
            replaced["class_type"] = new PyStr(replacement.NewNodeId);
            if (!node.TryGetValue("_meta", out var meta))
            {
                throw new ServerFailure(PyException.KeyError(new PyStr("_meta")));
            }

            replaced["_meta"] = meta switch
            {
                PyDict metaDict => metaDict.Copy(),
                PyList metaList => new PyList([.. metaList.Items]),
                _ => throw new ServerFailure(PyException.AttributeError($"'{meta.TypeName}' object has no attribute 'copy'")),
            };
            var oldInputs = (PyDict)node["inputs"];
            var newInputs = (PyDict)replaced["inputs"];
            foreach (var mapping in replacement.InputMapping ?? [])
            {
                if (mapping.SetValue is { } setValue)
                {
                    newInputs[mapping.NewId] = PyJson.Parse(setValue.GetRawText());
                }
                else if (mapping.OldId is { } oldId)
                {
                    newInputs[mapping.NewId] = oldInputs.TryGetValue(oldId, out var old) ? old : throw new ServerFailure(PyException.KeyError(new PyStr(oldId)));
                }
            }

            prompt[nodeId] = replaced;
            if (replacement.OutputMapping is null || !connections.TryGetValue(nodeId, out var links))
            {
                continue;
            }

            foreach (var (targetId, inputId, oldSlot) in links)
            {
                foreach (var output in replacement.OutputMapping)
                {
                    if (oldSlot.PyEquals(new PyInt(output.OldIdx)))
                    {
                        var targetInputs = (PyDict)((PyDict)prompt[targetId])["inputs"];
                        if (!targetInputs.TryGetValue(inputId, out var link))
                        {
                            throw new ServerFailure(PyException.KeyError(new PyStr(inputId)));
                        }

                        ((PyList)link).Items[1] = new PyInt(output.NewIdx);
                    }
                }
            }
        }
    }

    /// <summary>Python's <c>key in node</c> for any node value (substring for a string, membership for a list).</summary>
    private static bool Has(PyValue node, string key) => node switch
    {
        PyDict or PyStr or PyList => PyOps.Contains(node, new PyStr(key)),
        _ => throw new ServerFailure(PyException.TypeError($"argument of type '{node.TypeName}' is not iterable")),
    };

    /// <summary>Python's <c>node[key]</c> where <c>key in node</c> held.</summary>
    private static PyValue Item(PyValue node, string key) => node switch
    {
        PyDict dict => dict[key],
        PyStr => throw new ServerFailure(PyException.TypeError("string indices must be integers, not 'str'")),
        _ => throw new ServerFailure(PyException.TypeError($"{node.TypeName} indices must be integers or slices, not str")),
    };

    /// <summary>The replacements ComfyUI 0.33.0 registers (its <c>/node_replacements</c>), for validating without a server.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<NodeReplacement>> Core { get; } = BuildCore();

    private static Dictionary<string, IReadOnlyList<NodeReplacement>> BuildCore()
    {
        static NodeReplacementInput From(string newId, string oldId) => new() { NewId = newId, OldId = oldId };
        static NodeReplacementInput Set(string newId, string json) => new() { NewId = newId, SetValue = JsonDocument.Parse(json).RootElement.Clone() };
        NodeReplacement[] all =
        [
            new() { OldNodeId = "ResizeImagesByLongerEdge", NewNodeId = "ImageScaleToMaxDimension", OldWidgetIds = ["longer_edge"],
                InputMapping = [From("image", "images"), From("largest_size", "longer_edge"), Set("upscale_method", "\"lanczos\"")],
                OutputMapping = [new() { NewIdx = 0, OldIdx = 0 }] },
            new() { OldNodeId = "ImageBatch", NewNodeId = "BatchImagesNode", InputMapping = [From("images.image0", "image1"), From("images.image1", "image2")] },
            new() { OldNodeId = "ImageScaleBy", NewNodeId = "ResizeImageMaskNode", OldWidgetIds = ["upscale_method", "scale_by"],
                InputMapping = [From("input", "image"), Set("resize_type", "\"scale by multiplier\""), From("resize_type.multiplier", "scale_by"), From("scale_method", "upscale_method")] },
            new() { OldNodeId = "T2IAdapterLoader", NewNodeId = "ControlNetLoader", InputMapping = [From("control_net_name", "t2i_adapter_name")] },
            new() { OldNodeId = "Load3DAnimation", NewNodeId = "Load3D" },
            new() { OldNodeId = "Preview3DAnimation", NewNodeId = "Preview3D" },
            new() { OldNodeId = "SDV_img2vid_Conditioning", NewNodeId = "SVD_img2vid_Conditioning" },
            new() { OldNodeId = "ConditioningAverage ", NewNodeId = "ConditioningAverage" },
        ];
        return all.ToDictionary(r => r.OldNodeId, r => (IReadOnlyList<NodeReplacement>)[r], StringComparer.Ordinal);
    }
}
